package io.eventsearch.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The packaged service ({@code target/quarkus-app/quarkus-run.jar}) as a separate OS process, as it runs in
 * production: for tests about several instances, crashes and shutdown.
 */
public final class ServiceProcess implements AutoCloseable {

    /** The jar under test: this build's, or another one's ({@code -Dservice.jar=...}, to run a test against older code). */
    private static final Path JAR = Path.of(System.getProperty("service.jar", "target/quarkus-app/quarkus-run.jar"));
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** The operator password the instances run with (HTTP basic, user {@code operator}). */
    public static final String OPERATOR_PASSWORD = "it-operator";

    private final String name;
    private final int httpPort;
    private final int managementPort;
    private final Process process;
    private final Path log;

    private ServiceProcess(String name, Map<String, String> properties) throws IOException {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR + " missing: run `./mvnw package` (integration tests run after it in verify)");
        }
        this.name = name;
        this.httpPort = freePort();
        this.managementPort = freePort();
        this.log = Files.createTempFile("event-search-" + name + "-", ".log");
        Map<String, String> all = new TreeMap<>();
        String db = System.getenv().getOrDefault("EVENT_SEARCH_TEST_DB", "event_search_test");
        all.put("quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/" + db);
        all.put("quarkus.datasource.reactive.url", "postgresql://127.0.0.1:5432/" + db);
        all.put("quarkus.http.port", Integer.toString(httpPort));
        all.put("quarkus.management.port", Integer.toString(managementPort));
        all.put("quarkus.log.console.json.enabled", "false");
        all.put("events.instance-id", name);
        all.put("vertx.disableURIValidation", "true");
        all.put("events.operator.password", OPERATOR_PASSWORD);
        // the warm-up runs, as in production, but briefly: these instances restart often and are not measured
        all.put("events.search.warm-up.duration", "1s");
        all.put("events.ingestion.warm-up", "500ms");
        all.putAll(properties);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        all.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(JAR.toString());
        this.process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Starts an instance and waits until it is ready. */
    public static ServiceProcess start(String name, Map<String, String> properties) throws Exception {
        ServiceProcess service = new ServiceProcess(name, properties);
        service.awaitReady(Duration.ofSeconds(60));
        return service;
    }

    public String name() {
        return name;
    }

    public URI api(String path) {
        return URI.create("http://127.0.0.1:" + httpPort + path);
    }

    public URI management(String path) {
        return URI.create("http://127.0.0.1:" + managementPort + path);
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    public int get(URI uri) {
        try {
            return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    public String body(URI uri) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private void awaitReady(Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited during start-up:\n" + tail());
            }
            if (get(management("/q/health/ready")) == 200) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(name + " not ready within " + timeout + ":\n" + tail());
    }

    /** A crash: SIGKILL, no shutdown hooks, no goodbye to the database. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** A rolling restart's stop: SIGTERM, then wait for the process to exit. */
    public int terminate(Duration wait) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
        return process.exitValue();
    }

    /** Waits for the process to exit by itself (no SIGKILL): its exit code, or -1 if it still runs after {@code wait}. */
    public int awaitExit(Duration wait) throws InterruptedException {
        if (!process.waitFor(wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            return -1;
        }
        return process.exitValue();
    }

    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    public String logText() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            terminate(Duration.ofSeconds(40));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
