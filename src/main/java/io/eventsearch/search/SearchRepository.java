package io.eventsearch.search;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.eventsearch.EventSearchConfig;
import io.eventsearch.storage.DataVersion;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The search query, on the reactive client with a prepared statement. It also returns the data version of the
 * snapshot it read, so an answer is cached under the version it really shows, even from a lagging replica.
 */
@ApplicationScoped
public class SearchRepository {

    /** Plans in their provider's latest applied sync, of base plans currently online. */
    private static final String LATEST = """
            SELECT v.data_version, v.changed_at, e.id, e.title, e.start_local, e.end_local, e.min_price, e.max_price
            FROM catalogue_state v
            LEFT JOIN LATERAL (
                SELECT p.id, b.title, p.start_local, p.end_local, p.min_price, p.max_price, p.starts_at
                FROM plans p
                JOIN providers pr ON pr.id = p.provider_id AND pr.current_seen_at = p.last_seen_at
                JOIN base_plans b ON b.provider_id = p.provider_id AND b.base_plan_id = p.base_plan_id
                WHERE p.starts_at >= $1 AND p.starts_at <= $2 AND p.ends_at <= $2
                  AND b.sell_mode = 'online'
            ) e ON true
            ORDER BY e.starts_at, e.id
            """;

    /** Every plan ever seen, of base plans that were ever online. */
    private static final String EVER_SEEN = """
            SELECT v.data_version, v.changed_at, e.id, e.title, e.start_local, e.end_local, e.min_price, e.max_price
            FROM catalogue_state v
            LEFT JOIN LATERAL (
                SELECT p.id, b.title, p.start_local, p.end_local, p.min_price, p.max_price, p.starts_at
                FROM plans p
                JOIN base_plans b ON b.provider_id = p.provider_id AND b.base_plan_id = p.base_plan_id
                WHERE p.starts_at >= $1 AND p.starts_at <= $2 AND p.ends_at <= $2
                  AND b.ever_online
            ) e ON true
            ORDER BY e.starts_at, e.id
            """;

    private final Pool pool;
    private final String sql;

    public SearchRepository(Pool pool, EventSearchConfig config) {
        this.pool = pool;
        this.sql = config.search().scope() == EventSearchConfig.Search.Scope.EVER_SEEN ? EVER_SEEN : LATEST;
    }

    /** Result of one query: the events and the data version of the snapshot they come from. */
    public record Found(List<EventSummary> events, DataVersion version) {
    }

    public Uni<Found> find(SearchWindow window) {
        return pool.preparedQuery(sql)
                .execute(Tuple.of(window.lower().atOffset(ZoneOffset.UTC), window.upper().atOffset(ZoneOffset.UTC)))
                .map(SearchRepository::found);
    }

    /** Prices keep the two decimals they are stored with ({@code 20.00}), as the provider gave them. */
    private static BigDecimal price(BigDecimal value) {
        return value == null ? null : value.setScale(2, RoundingMode.HALF_UP);
    }

    private static Found found(RowSet<Row> rows) {
        List<EventSummary> events = new ArrayList<>(rows.size());
        DataVersion version = null;
        for (Row row : rows) {
            if (version == null) {
                version = new DataVersion(row.getLong(0), row.getOffsetDateTime(1).toInstant());
            }
            if (row.getValue(2) == null) {
                continue; // the empty side of the LEFT JOIN: no plan matched
            }
            events.add(new EventSummary(row.getUUID(2), row.getString(3), row.getLocalDateTime(4),
                    row.getLocalDateTime(5), price(row.getBigDecimal(6)), price(row.getBigDecimal(7))));
        }
        return new Found(events, version);
    }
}
