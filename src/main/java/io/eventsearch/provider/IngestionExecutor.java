package io.eventsearch.provider;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The worker threads for the blocking half of ingestion (parsing with Woodstox, JDBC writes, reading local feed
 * files). Bounded, so that many providers cannot take every database connection at once, and separate from the
 * HTTP workers, so a big sync never delays a request.
 */
@ApplicationScoped
public class IngestionExecutor {

    private final ThreadPoolExecutor executor;

    public IngestionExecutor(@ConfigProperty(name = "events.ingestion.threads", defaultValue = "2") int threads) {
        AtomicInteger counter = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, "ingestion-" + counter.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        executor.allowCoreThreadTimeOut(true);
    }

    public ExecutorService service() {
        return executor;
    }

    /** Lets running syncs finish (or roll back) within the grace period. */
    @PreDestroy
    void shutdown() {
        executor.shutdown();
        try {
            executor.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor.shutdownNow();
    }
}
