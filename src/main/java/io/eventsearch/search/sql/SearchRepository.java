package io.eventsearch.search.sql;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.eventsearch.EventSearchConfig;
import io.eventsearch.common.EpochMicros;
import io.eventsearch.search.api.PageQuery;
import io.eventsearch.search.api.SearchWindow;
import io.eventsearch.search.json.EventSummary;
import io.eventsearch.storage.DataVersion;
import io.eventsearch.storage.Scope;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The search queries, on the reactive client with prepared statements, against the search pool (the read replica
 * when configured). They also return the data version of the snapshot they read, so an answer is cached under
 * the version it really shows, even from a lagging replica.
 */
@ApplicationScoped
public class SearchRepository {

    /**
     * Plans of a window, in (start, id) order, with the data version of the snapshot. Placeholders: the join that
     * narrows to the scope, the window condition, the base plan condition. A LEFT JOIN from the one-row
     * {@code catalogue_state}, so even an empty window returns its version.
     */
    private static final String WINDOW = """
            SELECT v.data_version, v.changed_at, e.id, e.title, e.start_local, e.end_local, e.min_price, e.max_price,
                   e.starts_at, e.ends_at
            FROM catalogue_state v
            LEFT JOIN LATERAL (
                SELECT p.id, b.title, p.start_local, p.end_local, p.min_price, p.max_price, p.starts_at, p.ends_at
                FROM plans p%s
                JOIN base_plans b ON b.provider_id = p.provider_id AND b.base_plan_id = p.base_plan_id
                WHERE %s
                  AND %s
            ) e ON true
            ORDER BY e.starts_at, e.id
            """;
    /** The join that narrows plans to the latest scope (plans in their provider's latest applied feed). */
    public static final String LATEST_JOIN = """

                JOIN providers pr ON pr.id = p.provider_id AND\s""" + Scope.PLAN_IN_SCOPE;
    /** The contract's window: starts inside it and ends by its upper bound. */
    private static final String IN_WINDOW = "p.starts_at >= $1 AND p.starts_at <= $2 AND p.ends_at <= $2";
    /** A day slice: every plan starting in [$1, $2), wherever it ends (the assembler filters on the end). */
    private static final String IN_DAY = "p.starts_at >= $1 AND p.starts_at < $2";
    private static final String ONLINE = "b.sell_mode = 'online'";
    private static final String EVER_ONLINE = "b.ever_online";

    /** Plans in their provider's latest applied sync, of base plans currently online. */
    static final String LATEST = WINDOW.formatted(LATEST_JOIN, IN_WINDOW, ONLINE);

    /** Every plan ever seen, of base plans that were ever online. */
    static final String EVER_SEEN = WINDOW.formatted("", IN_WINDOW, EVER_ONLINE);

    static final String DAY_LATEST = WINDOW.formatted(LATEST_JOIN, IN_DAY, ONLINE);
    static final String DAY_EVER_SEEN = WINDOW.formatted("", IN_DAY, EVER_ONLINE);

    /**
     * One v2 page, keyset-paged on (start, id): rows after the position ($3, $4), at most $8 of them (the caller
     * asks one more than the page size to learn whether another page follows). $1 is the window's lower bound or
     * the cursor's start, whichever is later, so partitions before the cursor are pruned as well. $5..$7 are the
     * optional filters (null: not given). Zones, when asked for, are aggregated in the outer query: only for the
     * rows of the page, and from the same snapshot.
     */
    private static final String PAGE = """
            SELECT v.data_version, v.changed_at, e.id, e.title, e.start_local, e.end_local, e.min_price, e.max_price,
                   e.starts_at%s
            FROM catalogue_state v
            LEFT JOIN LATERAL (
                SELECT p.id, b.title, p.start_local, p.end_local, p.min_price, p.max_price, p.starts_at
                FROM plans p
                JOIN providers pr ON pr.id = p.provider_id%s
                JOIN base_plans b ON b.provider_id = p.provider_id AND b.base_plan_id = p.base_plan_id
                WHERE p.starts_at >= $1 AND p.starts_at <= $2 AND p.ends_at <= $2
                  AND (p.starts_at, p.id) > ($3::timestamptz, $4::uuid)
                  AND %s
                  AND ($5::text IS NULL OR pr.name = $5::text)
                  AND ($6::numeric IS NULL OR p.min_price >= $6::numeric)
                  AND ($7::numeric IS NULL OR p.max_price <= $7::numeric)
                ORDER BY p.starts_at, p.id
                LIMIT $8
            ) e ON true
            %sORDER BY e.starts_at, e.id
            """;
    private static final String ZONE_COLUMNS = ", zs.zone_ids, zs.names, zs.capacities, zs.prices, zs.numbered";
    /** A plan's zones as parallel arrays in position order, for the row {@code e}; see {@link #zones(Row, int)}. */
    public static final String ZONES_JOIN = """
            LEFT JOIN LATERAL (
                SELECT array_agg(z.zone_id ORDER BY z.position) AS zone_ids, array_agg(z.name ORDER BY z.position) AS names,
                       array_agg(z.capacity ORDER BY z.position) AS capacities,
                       array_agg(z.price ORDER BY z.position) AS prices,
                       array_agg(z.numbered ORDER BY z.position) AS numbered
                FROM zones z WHERE z.plan_id = e.id
            ) zs ON true
            """;
    private static final String IN_LATEST = " AND " + Scope.PLAN_IN_SCOPE;
    static final String PAGE_LATEST = PAGE.formatted("", IN_LATEST, ONLINE, "");
    static final String PAGE_LATEST_ZONES = PAGE.formatted(ZONE_COLUMNS, IN_LATEST, ONLINE, ZONES_JOIN);
    static final String PAGE_EVER_SEEN = PAGE.formatted("", "", EVER_ONLINE, "");
    static final String PAGE_EVER_SEEN_ZONES = PAGE.formatted(ZONE_COLUMNS, "", EVER_ONLINE, ZONES_JOIN);

    /** Sorts before every plan id (plan ids are version-5 UUIDs, never nil): "from the start of the window". */
    private static final UUID NIL = new UUID(0, 0);

    private final SearchPool pool;
    private final String sql;
    private final String daySql;
    private final String pageSql;
    private final String pageZonesSql;

    public SearchRepository(SearchPool pool, EventSearchConfig config) {
        this.pool = pool;
        boolean everSeen = config.search().scope() == EventSearchConfig.Search.Scope.EVER_SEEN;
        this.sql = everSeen ? EVER_SEEN : LATEST;
        this.daySql = everSeen ? DAY_EVER_SEEN : DAY_LATEST;
        this.pageSql = everSeen ? PAGE_EVER_SEEN : PAGE_LATEST;
        this.pageZonesSql = everSeen ? PAGE_EVER_SEEN_ZONES : PAGE_LATEST_ZONES;
    }

    /** Result of one query: the events and the data version of the snapshot they come from. */
    public record Found(List<EventSummary> events, DataVersion version) {
    }

    /** One event of a v2 page: its summary, start instant (for the cursor) and zones (null unless asked for). */
    public record PageEvent(EventSummary summary, OffsetDateTime startsAt, List<Zone> zones) {
    }

    /** A zone of a plan, in feed order. */
    public record Zone(String zoneId, String name, int capacity, BigDecimal price, boolean numbered) {
    }

    /** A v2 page: its events, whether more follow, and the data version of the snapshot they come from. */
    public record Page(List<PageEvent> events, boolean more, DataVersion version) {
    }

    public Uni<Found> find(SearchWindow window) {
        return pool.query(sql, Tuple.of(window.lower().atOffset(ZoneOffset.UTC), window.upper().atOffset(ZoneOffset.UTC)))
                .map(SearchRepository::found);
    }

    /** Result of a day query: the events, their start and end instants (epoch microseconds), the version. */
    public record Day(List<EventSummary> events, long[] startsMicros, long[] endsMicros, DataVersion version) {
    }

    /** Every plan in scope that starts in [from, until), in (start, id) order, wherever it ends. */
    public Uni<Day> findStartingBetween(Instant from, Instant until) {
        return pool.query(daySql, Tuple.of(from.atOffset(ZoneOffset.UTC), until.atOffset(ZoneOffset.UTC)))
                .map(SearchRepository::day);
    }

    public Uni<Page> page(PageQuery query) {
        OffsetDateTime lower = query.window().lower().atOffset(ZoneOffset.UTC);
        OffsetDateTime after = lower;
        UUID afterId = NIL;
        if (query.cursor() != null) {
            after = query.cursor().start();
            afterId = query.cursor().id();
            if (after.isAfter(lower)) {
                lower = after;
            }
        }
        Tuple params = Tuple.tuple()
                .addOffsetDateTime(lower)
                .addOffsetDateTime(query.window().upper().atOffset(ZoneOffset.UTC))
                .addOffsetDateTime(after)
                .addUUID(afterId)
                .addString(query.provider())
                .addBigDecimal(query.minPrice())
                .addBigDecimal(query.maxPrice())
                .addInteger(query.limit() + 1);
        int limit = query.limit();
        boolean zones = query.zones();
        return pool.query(zones ? pageZonesSql : pageSql, params)
                .map(rows -> page(rows, limit, zones));
    }

    /** Prices keep the two decimals they are stored with ({@code 20.00}), as the provider gave them. */
    public static BigDecimal price(BigDecimal value) {
        return value == null ? null : value.setScale(2, RoundingMode.HALF_UP);
    }

    private static EventSummary summary(Row row) {
        return new EventSummary(row.getUUID(2), row.getString(3), row.getLocalDateTime(4), row.getLocalDateTime(5),
                price(row.getBigDecimal(6)), price(row.getBigDecimal(7)));
    }

    private static DataVersion version(Row row) {
        return new DataVersion(row.getLong(0), row.getOffsetDateTime(1).toInstant());
    }

    private static Found found(RowSet<Row> rows) {
        List<EventSummary> events = new ArrayList<>(rows.size());
        DataVersion version = null;
        for (Row row : rows) {
            if (version == null) {
                version = version(row);
            }
            if (row.getValue(2) == null) {
                continue; // the empty side of the LEFT JOIN: no plan matched
            }
            events.add(summary(row));
        }
        return new Found(events, version);
    }

    private static Day day(RowSet<Row> rows) {
        Found found = found(rows);
        int n = found.events().size();
        long[] starts = new long[n];
        long[] ends = new long[n];
        int i = 0;
        for (Row row : rows) {
            if (row.getValue(2) != null) {
                starts[i] = EpochMicros.of(row.getOffsetDateTime(8));
                ends[i++] = EpochMicros.of(row.getOffsetDateTime(9));
            }
        }
        return new Day(found.events(), starts, ends, found.version());
    }


    /**
     * Zones come as parallel arrays from column {@code first} on (one aggregate per column, all in position order);
     * none is an empty list.
     */
    public static List<Zone> zones(Row row, int first) {
        String[] ids = row.getArrayOfStrings(first);
        if (ids == null) {
            return List.of();
        }
        String[] names = row.getArrayOfStrings(first + 1);
        Integer[] capacities = row.getArrayOfIntegers(first + 2);
        BigDecimal[] prices = row.getArrayOfBigDecimals(first + 3);
        Boolean[] numbered = row.getArrayOfBooleans(first + 4);
        List<Zone> zones = new ArrayList<>(ids.length);
        for (int i = 0; i < ids.length; i++) {
            zones.add(new Zone(ids[i], names[i], capacities[i], price(prices[i]), numbered[i]));
        }
        return zones;
    }

    private static Page page(RowSet<Row> rows, int limit, boolean zones) {
        List<PageEvent> events = new ArrayList<>(Math.min(rows.size(), limit));
        DataVersion version = null;
        boolean more = false;
        for (Row row : rows) {
            if (version == null) {
                version = version(row);
            }
            if (row.getValue(2) == null) {
                continue; // the empty side of the LEFT JOIN: no plan matched
            }
            if (events.size() == limit) {
                more = true; // the one row asked beyond the page
                break;
            }
            events.add(new PageEvent(summary(row), row.getOffsetDateTime(8), zones ? zones(row, 9) : null));
        }
        return new Page(events, more, version);
    }
}
