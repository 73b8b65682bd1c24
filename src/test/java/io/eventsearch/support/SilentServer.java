package io.eventsearch.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A stand-in for a replica that hangs: it accepts TCP connections and never answers a byte, so a client sees
 * neither a refusal nor a reply, only silence (for {@link #SILENCE_SECONDS}, then the connection closes).
 */
public class SilentServer implements QuarkusTestResourceLifecycleManager {

    static final int SILENCE_SECONDS = 8;
    private static final ScheduledExecutorService CLOSER = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "silent-replica-closer");
        thread.setDaemon(true);
        return thread;
    });
    private ServerSocket server;
    private final List<Socket> held = new CopyOnWriteArrayList<>();

    @Override
    public Map<String, String> start() {
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    held.add(socket);
                    // silent for longer than the replica timeout under test, then gone: the application's own
                    // shutdown waits for connections in progress, and this resource stops only after it
                    CLOSER.schedule(() -> close(socket), SILENCE_SECONDS, TimeUnit.SECONDS);
                } catch (IOException closed) {
                    return;
                }
            }
        }, "silent-replica");
        acceptor.setDaemon(true);
        acceptor.start();
        return Map.of("quarkus.datasource.\"replica\".reactive.url",
                "postgresql://127.0.0.1:" + server.getLocalPort() + "/event_search");
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void stop() {
        try {
            server.close();
            for (Socket socket : held) {
                socket.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
