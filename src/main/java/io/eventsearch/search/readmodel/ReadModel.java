package io.eventsearch.search.readmodel;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.eventsearch.EventSearchConfig;
import io.eventsearch.common.EpochMicros;
import io.eventsearch.search.json.EventSummary;
import io.eventsearch.search.json.SearchJson;
import io.eventsearch.search.sql.SearchPool;
import io.eventsearch.search.sql.SearchRepository;
import io.eventsearch.storage.CatalogueVersion;
import io.eventsearch.storage.DataVersion;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The read side's own model of the visible catalogue (CQRS): loaded whole at start-up, before readiness goes UP,
 * then moved from version to version by each sync's change set (the plans it changed, recorded in
 * {@code catalogue_changes}): a notification or the clock's periodic check says a newer version exists, and the
 * model reads the rows of the changed plans only, on one snapshot, and swaps in the next {@link Snapshot} at once.
 * Above its memory budget it lets go and the service answers from SQL, saying so in the log, readiness and metrics.
 */
@ApplicationScoped
public class ReadModel {

    private static final Logger LOG = Logger.getLogger(ReadModel.class);
    private static final int PAGE = 5_000;
    private static final UUID NIL = new UUID(0, 0);
    private static final OffsetDateTime BEFORE_ALL = OffsetDateTime.of(1, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

    private static final String STATE = "SELECT data_version, changed_at, changes_from FROM catalogue_state";
    /** Plans changed after a version (an upper bound: a plan changed by two versions counts twice). */
    private static final String CHANGES = "SELECT count(*) FROM catalogue_changes WHERE data_version > $1";
    /** A change set of more plans than this, and than a quarter of the model, is read by loading the model whole. */
    private static final long WHOLE_LOAD_AT_LEAST = 100;
    private static final String PROVIDERS = "SELECT id, name FROM providers";

    /** Columns 2..15 of both statements: the event, its instants, provider and zones. */
    private static final String COLUMNS = """
            e.id, e.title, e.start_local, e.end_local, e.min_price, e.max_price, e.starts_at, e.ends_at, e.provider_id,
            zs.zone_ids, zs.names, zs.capacities, zs.prices, zs.numbered""";
    private static final String VISIBLE = """
            SELECT p.id, b.title, p.start_local, p.end_local, p.min_price, p.max_price, p.starts_at, p.ends_at, p.provider_id
            FROM plans p%s
            JOIN base_plans b ON b.provider_id = p.provider_id AND b.base_plan_id = p.base_plan_id
            WHERE %s AND %s""";
    private final SearchPool pool;
    private final CatalogueVersion clock;
    private final Vertx vertx;
    private final boolean enabled;
    private final long maxBytes;
    private final Duration retryAfter;
    private final String loadSql;
    private final String deltaSql;
    private final AtomicBoolean running = new AtomicBoolean();
    private final Counter fullLoads;
    private final Counter deltas;
    private final Counter deltaRows;
    private volatile boolean again;
    /** Shutting down: a load in progress stops at its next page, so its connection returns to the pool. */
    private volatile boolean stopping;
    private volatile Snapshot snapshot;
    private volatile boolean overBudget;
    private volatile long retryAt;
    private volatile String problem;
    private long timer = -1;

    public ReadModel(SearchPool pool, CatalogueVersion clock, Vertx vertx, EventSearchConfig config, MeterRegistry registry) {
        this.pool = pool;
        this.clock = clock;
        this.vertx = vertx;
        EventSearchConfig.Search.ReadModel settings = config.search().readModel();
        this.enabled = settings.enabled();
        this.maxBytes = settings.maxSize().asLongValue();
        this.retryAfter = settings.retryAfter();
        boolean everSeen = config.search().scope() == EventSearchConfig.Search.Scope.EVER_SEEN;
        String join = everSeen ? "" : SearchRepository.LATEST_JOIN;
        String visibleIf = everSeen ? "b.ever_online" : "b.sell_mode = 'online'";
        this.loadSql = "SELECT v.data_version, v.changed_at, " + COLUMNS + "\nFROM catalogue_state v\nLEFT JOIN LATERAL ("
                + VISIBLE.formatted(join, "(p.starts_at, p.id) > ($1::timestamptz, $2::uuid)", visibleIf)
                + "\n    ORDER BY p.starts_at, p.id LIMIT $3\n) e ON true\n" + SearchRepository.ZONES_JOIN
                + "ORDER BY e.starts_at, e.id";
        this.deltaSql = "SELECT v.data_version, v.changed_at, " + COLUMNS + ", c.plan_id\nFROM catalogue_state v\n"
                + "JOIN (SELECT DISTINCT plan_id FROM catalogue_changes WHERE data_version > $1) c ON true\n"
                + "LEFT JOIN LATERAL (" + VISIBLE.formatted(join, "p.id = c.plan_id", visibleIf) + "\n) e ON true\n"
                + SearchRepository.ZONES_JOIN;
        this.fullLoads = Counter.builder("events.search.read.model.loads").tag("kind", "full")
                .description("Read model loads: whole, or by a version's change set").register(registry);
        this.deltas = Counter.builder("events.search.read.model.loads").tag("kind", "delta")
                .description("Read model loads: whole, or by a version's change set").register(registry);
        this.deltaRows = Counter.builder("events.search.read.model.delta.plans")
                .description("Plans read to move the read model by change sets").register(registry);
        Gauge.builder("events.search.read.model.plans", this, m -> m.snapshot == null ? 0 : m.snapshot.size())
                .description("Visible plans held by the read model").register(registry);
        Gauge.builder("events.search.read.model.bytes", this, m -> m.snapshot == null ? 0 : m.snapshot.bytes())
                .description("Memory held by the read model (estimated)").baseUnit("bytes").register(registry);
        Gauge.builder("events.search.read.model.serving", this, m -> m.serving() == null ? 0 : 1)
                .description("1 when searches are answered from the read model, 0 when from SQL").register(registry);
    }

    void start(@Observes StartupEvent event) {
        if (!enabled) {
            LOG.info("read model: off (events.search.read-model.enabled=false); answers come from the caches and SQL");
            return;
        }
        clock.shownBy(this::awaitShown);
        clock.onAdvance(version -> {
            Snapshot s = snapshot;
            if (s == null || version.version() > s.version().version()) {
                refresh();
            }
        });
        refresh();
        // catches up after a failure and retries loading after the budget was exceeded
        timer = vertx.setPeriodic(1_000, id -> {
            Snapshot s = snapshot;
            if (s == null ? System.currentTimeMillis() >= retryAt : clock.current().version() > s.version().version()) {
                refresh();
            }
        });
    }

    @PreDestroy
    void stop() {
        stopping = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    /** Blocking: until the model shows {@code version} (or does not serve: then SQL answers, fresh), at most max. */
    void awaitShown(long version, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            Snapshot s = serving();
            if (s == null || s.version().version() >= version) {
                return;
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The snapshot to answer from, or null: loading, off, over budget or failed (then SQL answers). */
    public Snapshot serving() {
        return overBudget ? null : snapshot;
    }

    public boolean enabled() {
        return enabled;
    }

    /** For readiness: loaded (or knowingly not serving), with its figures. */
    public Status status() {
        Snapshot s = snapshot;
        return new Status(enabled, s != null || overBudget || !enabled, s != null && !overBudget, overBudget,
                s == null ? 0 : s.size(), s == null ? 0 : s.bytes(), maxBytes, s == null ? -1 : s.version().version(), problem);
    }

    public record Status(boolean enabled, boolean ready, boolean serving, boolean overBudget, int plans, long bytes,
            long maxBytes, long version, String problem) {
        public long bytesPerPlan() {
            return plans == 0 ? 0 : bytes / plans;
        }
    }

    /** Moves the model to the newest version (one run at a time; a request meanwhile runs it once more after). */
    void refresh() {
        if (stopping) {
            return;
        }
        if (overBudget && System.currentTimeMillis() < retryAt) {
            return; // loading it whole again is tried after retry-after, not at every new version
        }
        if (!running.compareAndSet(false, true)) {
            again = true;
            return;
        }
        again = false;
        Snapshot current = snapshot;
        Uni<Snapshot> next = current == null ? load() : move(current);
        next.subscribe().with(loaded -> {
            if (loaded != null) {
                if (loaded.bytes() > maxBytes) {
                    tooBig(loaded.size(), loaded.bytes());
                } else {
                    if (snapshot == null || overBudget) {
                        LOG.infof("read model: %d plans at data version %d, %d bytes (%d per plan); answering every "
                                + "search from it", loaded.size(), loaded.version().version(), loaded.bytes(),
                                loaded.size() == 0 ? 0 : loaded.bytes() / loaded.size());
                    }
                    overBudget = false;
                    problem = null;
                    snapshot = loaded;
                }
            }
            running.set(false);
            Snapshot now = snapshot;
            // a replica that has not caught up yet gave nothing newer: the periodic check tries again
            boolean progressed = loaded != current;
            if (again || (progressed && now != null && clock.current().version() > now.version().version())) {
                refresh();
            }
        }, failure -> {
            running.set(false);
            if (failure instanceof OverBudget over) {
                tooBig(over.plans, over.bytes);
                return;
            }
            problem = String.valueOf(failure.getMessage());
            LOG.warnf("read model: could not move to the newest data version (%s); trying again", problem);
            retryAt = System.currentTimeMillis() + 1_000;
        });
    }

    private void tooBig(int plans, long bytes) {
        if (!overBudget) {
            LOG.warnf("read model: %d+ plans need %d+ bytes, over its budget of %d (events.search.read-model.max-size); "
                    + "searches are answered from SQL; loading is tried again every %s", plans, bytes, maxBytes, retryAfter);
        }
        overBudget = true;
        snapshot = null;
        problem = "over budget";
        retryAt = System.currentTimeMillis() + retryAfter.toMillis();
    }

    /** The whole visible catalogue, page by page on one snapshot. */
    private Uni<Snapshot> load() {
        fullLoads.increment();
        return pool.inSnapshot(conn -> state(conn).flatMap(state -> providers(conn)
                .flatMap(providers -> page(conn, new Snapshot.Builder(1 << 16), BEFORE_ALL, NIL)
                        .map(plans -> plans.build(state.version, providers)))));
    }

    /** The next version from the change sets since the current one; a whole load when they are not all kept. */
    private Uni<Snapshot> move(Snapshot current) {
        return pool.inSnapshot(conn -> state(conn).flatMap(state -> {
            if (state.version.version() <= current.version().version()) {
                return Uni.createFrom().item(current);
            }
            if (current.version().version() < state.changesFrom) {
                LOG.infof("read model: changes since version %d are no longer kept; loading it whole",
                        current.version().version());
                return Uni.createFrom().nullItem();
            }
            return conn.preparedQuery(CHANGES).execute(Tuple.of(current.version().version())).flatMap(counted -> {
                long changes = counted.iterator().next().getLong(0);
                if (changes > Math.max(WHOLE_LOAD_AT_LEAST, current.size() / 4)) {
                    // a change set this large is read faster whole, in (start, id) order, than plan by plan
                    LOG.infof("read model: %d plans changed since version %d; loading it whole", changes,
                            current.version().version());
                    return Uni.createFrom().<Snapshot>nullItem();
                }
                return delta(conn, current, state);
            });
        })).flatMap(next -> next == null ? load() : Uni.createFrom().item(next));
    }

    /** The next version from the rows of the plans the change sets name. */
    private Uni<Snapshot> delta(SqlConnection conn, Snapshot current, State state) {
        deltas.increment();
        return providers(conn).flatMap(providers -> conn.preparedQuery(deltaSql)
                .execute(Tuple.of(current.version().version()))
                // rendering the rows and merging the arrays is CPU work: never on the event loop
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(rows -> {
                    Set<UUID> changed = new HashSet<>();
                    List<Snapshot.Entry> visible = new ArrayList<>();
                    for (Row row : rows) {
                        changed.add(row.getUUID(16));
                        if (row.getValue(2) != null) {
                            visible.add(entry(row));
                        }
                    }
                    deltaRows.increment(changed.size());
                    return current.apply(state.version, changed, visible, providers);
                }));
    }

    private record State(DataVersion version, long changesFrom) {
    }

    private static Uni<State> state(SqlConnection conn) {
        return conn.query(STATE).execute().map(rows -> {
            Row row = rows.iterator().next();
            return new State(new DataVersion(row.getLong(0), row.getOffsetDateTime(1).toInstant()), row.getLong(2));
        });
    }

    private static Uni<Map<String, Integer>> providers(SqlConnection conn) {
        return conn.query(PROVIDERS).execute().map(rows -> {
            Map<String, Integer> out = new HashMap<>();
            rows.forEach(row -> out.put(row.getString(1), row.getInteger(0)));
            return out;
        });
    }

    private Uni<Snapshot.Builder> page(SqlConnection conn, Snapshot.Builder into, OffsetDateTime after, UUID afterId) {
        return conn.preparedQuery(loadSql).execute(Tuple.of(after, afterId, PAGE))
                .emitOn(Infrastructure.getDefaultWorkerPool()) // rendering a page of events: not on the event loop
                .flatMap(rows -> {
            int read = 0;
            Snapshot.Entry last = null;
            for (Row row : rows) {
                if (row.getValue(2) == null) {
                    continue;
                }
                last = entry(row);
                into.add(last);
                read++;
            }
            if (into.bytes() > maxBytes) {
                return Uni.createFrom().failure(new OverBudget(into.size(), into.bytes()));
            }
            if (stopping) {
                return Uni.createFrom().failure(new IllegalStateException("shutting down"));
            }
            if (read < PAGE) {
                return Uni.createFrom().item(into);
            }
            return page(conn, into, row8(last), last.id());
        });
    }

    private static OffsetDateTime row8(Snapshot.Entry entry) {
        return EpochMicros.utc(entry.startMicros());
    }

    /** One row of either statement as an entry: the event's JSON exactly as the SQL path renders it. */
    private static Snapshot.Entry entry(Row row) {
        BigDecimal min = SearchRepository.price(row.getBigDecimal(6));
        BigDecimal max = SearchRepository.price(row.getBigDecimal(7));
        EventSummary summary = new EventSummary(row.getUUID(2), row.getString(3), row.getLocalDateTime(4),
                row.getLocalDateTime(5), min, max);
        return new Snapshot.Entry(EpochMicros.of(row.getOffsetDateTime(8)), summary.id(), EpochMicros.of(row.getOffsetDateTime(9)),
                row.getInteger(10), cents(min), cents(max), SearchJson.event(summary),
                SearchJson.zones(SearchRepository.zones(row, 11)));
    }

    static long cents(BigDecimal price) {
        return price == null ? Snapshot.NO_PRICE : price.movePointRight(2).longValueExact();
    }

    /** Loading stopped: the model would not fit in its budget. */
    private static final class OverBudget extends RuntimeException {
        final int plans;
        final long bytes;

        OverBudget(int plans, long bytes) {
            super("over budget", null, false, false);
            this.plans = plans;
            this.bytes = bytes;
        }
    }
}
