package io.eventsearch.storage;

import java.sql.SQLException;
import java.time.ZoneId;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

import io.eventsearch.EventSearchConfig;

/**
 * Opens the write transaction of one sync on the primary database (JDBC: COPY has no reactive equivalent, and the
 * feed is parsed on a worker thread anyway, so the writes are naturally paced by the parser).
 */
@ApplicationScoped
public class CatalogueWriter {

    private final DataSource dataSource;
    private final int batchSize;

    public CatalogueWriter(DataSource dataSource, EventSearchConfig config) {
        this.dataSource = dataSource;
        this.batchSize = Math.max(1, config.ingestion().batchSize());
    }

    /** Blocking: call on a worker thread. */
    public CatalogueTransaction begin(int providerId, String providerName, ZoneId timeZone) throws SQLException {
        return new CatalogueTransaction(dataSource.getConnection(), providerId, providerName, timeZone, batchSize);
    }
}
