package io.eventsearch.storage;

import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

/**
 * Parsing and writing on two threads: the parser fills a batch of COPY rows while a writer thread sends the
 * previous one, so the feed's parsing (this JVM) and its COPY (the PostgreSQL backend) overlap instead of taking
 * turns. At most {@link #QUEUED} batches wait, so memory stays one batch's worth times a few whatever the feed.
 * The connection belongs to the writer between the first {@link #send} and {@link #finish} (or {@link #abort}).
 */
final class CopyPipeline {

    static final int QUEUED = 1;

    /** One COPY statement and its data. */
    record Part(String sql, CopyRows.Data data) {
    }

    private static final List<Part> END = List.of();

    private final CopyManager copy;
    private final String name;
    private final BlockingQueue<List<Part>> queue = new ArrayBlockingQueue<>(QUEUED);
    private Thread writer;
    private volatile Throwable failure;

    CopyPipeline(CopyManager copy, String name) {
        this.copy = copy;
        this.name = name;
    }

    /** Hands a batch (its COPY statements in order) to the writer; blocks while {@link #QUEUED} wait. */
    void send(List<Part> batch) throws SQLException {
        if (batch.isEmpty()) {
            return;
        }
        if (writer == null) {
            writer = new Thread(this::run, name);
            writer.setDaemon(true);
            writer.start();
        }
        try {
            while (!queue.offer(batch, 50, TimeUnit.MILLISECONDS)) {
                rethrow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort();
            throw new SQLException("interrupted while staging", e);
        }
        rethrow();
    }

    /** Waits until everything sent is written; the connection is the caller's again. */
    void finish() throws SQLException {
        stop(false);
        rethrow();
    }

    /** Drops what waits, lets the batch being written end, and gives the connection back (to be rolled back). */
    void abort() {
        stop(true);
    }

    private void stop(boolean dropWaiting) {
        if (writer == null) {
            return;
        }
        if (dropWaiting) {
            queue.clear();
        }
        boolean interrupted = false;
        while (true) {
            try {
                if (!writer.isAlive() || queue.offer(END, 50, TimeUnit.MILLISECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        while (true) {
            try {
                writer.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        writer = null;
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            while (true) {
                List<Part> batch = queue.take();
                if (batch == END) {
                    return;
                }
                for (Part part : batch) {
                    CopyIn in = copy.copyIn(part.sql());
                    try {
                        CopyRows.Data data = part.data();
                        for (int i = 0; i < data.chunks().size(); i++) {
                            in.writeToCopy(data.chunks().get(i), 0, data.lengths().get(i));
                        }
                        in.endCopy();
                    } finally {
                        if (in.isActive()) {
                            in.cancelCopy();
                        }
                    }
                    part.data().release();
                }
            }
        } catch (Throwable t) {
            failure = t;
            queue.clear();
        }
    }

    private void rethrow() throws SQLException {
        Throwable t = failure;
        if (t == null) {
            return;
        }
        if (t instanceof SQLException sql) {
            throw sql;
        }
        if (t instanceof IOException io) {
            throw new SQLException("COPY failed: " + io.getMessage(), io);
        }
        throw new SQLException("COPY failed: " + t, t);
    }

    /** Collects the parts of one batch. */
    static final class Batch {
        private final List<Part> parts = new ArrayList<>(4);

        Batch add(String sql, CopyRows rows) {
            if (rows.rows() > 0) {
                parts.add(new Part(sql, rows.drain()));
            }
            return this;
        }

        List<Part> parts() {
            return parts;
        }
    }
}
