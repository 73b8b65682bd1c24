package io.eventsearch.ops;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.eventsearch.ingestion.ProviderRegistry;
import io.eventsearch.ingestion.RegisteredProvider;
import io.eventsearch.ingestion.SyncCoordinator;
import io.eventsearch.ingestion.leadership.ProviderLeadership;
import io.eventsearch.provider.ProviderGuards;
import io.eventsearch.storage.SyncRun;
import io.quarkus.security.AuthenticationCompletionException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.vertx.http.ManagementInterface;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Operator endpoints, on the management interface only (port 9000, never the public port):
 * <ul>
 * <li>{@code GET /ops/providers}: every provider with its state, breaker, leadership and recent runs</li>
 * <li>{@code GET /ops/providers/{name}}: one provider, with more runs</li>
 * <li>{@code POST /ops/providers/{name}/sync}: sync now (on this instance, if it leads the provider or can)</li>
 * <li>{@code POST /ops/providers/{name}/pause} and {@code /resume}: stop or restart syncing it, fleet-wide</li>
 * <li>{@code POST /ops/providers/{name}/circuit/reset}: close its download breaker on this instance</li>
 * <li>{@code POST /ops/providers/{name}/hold/confirm} and {@code /hold/reject}: decide on a held feed</li>
 * </ul>
 * The POST actions need an operator's HTTP basic credentials, checked by Quarkus' security on the management
 * interface ({@code quarkus.management.auth.*} in application.properties); the GET endpoints are open.
 */
@ApplicationScoped
public class OperatorRoutes {

    private static final Logger LOG = Logger.getLogger(OperatorRoutes.class);

    private static final String PROVIDERS = """
            SELECT p.id, p.name, p.paused, p.current_seen_at, p.last_confirmed_at, p.held_since, p.held_reason,
                   p.held_feeds, p.confirmed_digest IS NOT NULL AS hold_confirmed,
                   (SELECT count(*) FROM plans pl WHERE pl.provider_id = p.id AND pl.last_seen_at = 'infinity'::timestamptz)
                       AS plans_in_scope
            FROM providers p
            WHERE $1::text IS NULL OR p.name = $1
            ORDER BY p.name
            """;

    private static final String RUNS = """
            SELECT r.provider_id, r.id, r.instance_id, r.started_at, r.finished_at, r.outcome, r.failure_reason,
                   r.failure_detail, r.http_status, r.attempts, r.feed_bytes, r.duration_ms, r.plans_seen,
                   r.plans_inserted, r.plans_updated, r.plans_unchanged, r.plans_gone_stale, r.skipped_total,
                   r.skipped::text
            FROM providers p
            JOIN LATERAL (SELECT * FROM sync_runs WHERE provider_id = p.id ORDER BY id DESC LIMIT $2) r ON true
            WHERE $1::text IS NULL OR p.name = $1
            ORDER BY r.provider_id, r.id DESC
            """;

    private static final String SET_PAUSED = "UPDATE providers SET paused = $1 WHERE name = $2";

    private final Pool pool;
    private final io.eventsearch.storage.ProviderRepository providerRepository;
    private final ProviderRegistry registry;
    private final ProviderLeadership leadership;
    private final ProviderGuards guards;
    private final SyncCoordinator coordinator;
    private final ObjectMapper json;

    public OperatorRoutes(Pool pool, io.eventsearch.storage.ProviderRepository providerRepository,
            ProviderRegistry registry, ProviderLeadership leadership, ProviderGuards guards, SyncCoordinator coordinator,
            ObjectMapper json) {
        this.pool = pool;
        this.providerRepository = providerRepository;
        this.registry = registry;
        this.leadership = leadership;
        this.guards = guards;
        this.coordinator = coordinator;
        this.json = json;
    }

    void routes(@Observes ManagementInterface management) {
        Router router = management.router();
        // Quarkus' security decides (quarkus.management.auth.*); its 401 and 403 get the service's error envelope
        router.route().order(Integer.MIN_VALUE).failureHandler(this::authFailure);
        router.get("/ops/providers").handler(ctx -> respond(ctx, providers(null, 5).map(list -> Map.of("providers", list))));
        router.get("/ops/providers/:name").handler(ctx -> respond(ctx, providers(ctx.pathParam("name"), 50)
                .map(list -> list.isEmpty() ? null : list.get(0))));
        router.post("/ops/providers/:name/sync").handler(this::syncNow);
        router.post("/ops/providers/:name/pause").handler(ctx -> setPaused(ctx, true));
        router.post("/ops/providers/:name/resume").handler(ctx -> setPaused(ctx, false));
        router.post("/ops/providers/:name/hold/confirm").handler(ctx -> decideHold(ctx, true));
        router.post("/ops/providers/:name/hold/reject").handler(ctx -> decideHold(ctx, false));
        router.post("/ops/providers/:name/circuit/reset").handler(ctx -> {
            Optional<RegisteredProvider> provider = registry.byName(ctx.pathParam("name"));
            if (provider.isEmpty()) {
                send(ctx, 404, error("not_found", "no provider named " + ctx.pathParam("name")));
                return;
            }
            guards.reset(provider.get().name());
            LOG.infof("operator reset the circuit breaker of provider %s", provider.get().name());
            send(ctx, 200, Map.of("provider", provider.get().name(), "circuit", "closed"));
        });
    }

    private Uni<List<Map<String, Object>>> providers(String name, int runsPerProvider) {
        Uni<List<Map<String, Object>>> providers = pool.preparedQuery(PROVIDERS).execute(Tuple.of(name)).map(rows -> {
            List<Map<String, Object>> out = new ArrayList<>();
            for (Row row : rows) {
                String providerName = row.getString("name");
                Optional<RegisteredProvider> configured = registry.byName(providerName);
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("id", row.getInteger("id"));
                p.put("name", providerName);
                p.put("configured_here", configured.isPresent());
                configured.ifPresent(c -> {
                    p.put("url", ProviderRegistry.redact(c.settings().url()));
                    p.put("every", c.settings().every().toString());
                    p.put("time_zone", c.settings().timeZone().getId());
                    p.put("enabled", c.settings().enabled());
                });
                p.put("paused", row.getBoolean("paused"));
                p.put("leader_here", leadership.leads(row.getInteger("id")));
                p.put("circuit", guards.state(providerName).name().toLowerCase(Locale.ROOT));
                p.put("current_seen_at", text(row.getOffsetDateTime("current_seen_at")));
                p.put("last_confirmed_at", text(row.getOffsetDateTime("last_confirmed_at")));
                p.put("held_since", text(row.getOffsetDateTime("held_since")));
                p.put("held_reason", row.getString("held_reason"));
                p.put("held_feeds", row.getInteger("held_feeds"));
                p.put("hold_confirmed", row.getBoolean("hold_confirmed"));
                p.put("plans_in_scope", row.getLong("plans_in_scope"));
                p.put("recent_runs", new ArrayList<Map<String, Object>>());
                out.add(p);
            }
            return out;
        });
        return providers.flatMap(list -> pool.preparedQuery(RUNS).execute(Tuple.of(name, runsPerProvider)).map(rows -> {
            Map<Integer, Map<String, Object>> byId = new LinkedHashMap<>();
            list.forEach(p -> byId.put((Integer) p.get("id"), p));
            for (Row row : rows) {
                Map<String, Object> provider = byId.get(row.getInteger("provider_id"));
                if (provider == null) {
                    continue;
                }
                Map<String, Object> run = new LinkedHashMap<>();
                run.put("id", row.getLong("id"));
                run.put("instance", row.getString("instance_id"));
                run.put("started_at", text(row.getOffsetDateTime("started_at")));
                run.put("finished_at", text(row.getOffsetDateTime("finished_at")));
                run.put("outcome", row.getString("outcome"));
                run.put("failure_reason", row.getString("failure_reason"));
                run.put("failure_detail", row.getString("failure_detail"));
                run.put("http_status", row.getInteger("http_status"));
                run.put("attempts", row.getInteger("attempts"));
                run.put("feed_bytes", row.getLong("feed_bytes"));
                run.put("duration_ms", row.getLong("duration_ms"));
                run.put("plans_seen", row.getInteger("plans_seen"));
                run.put("plans_inserted", row.getInteger("plans_inserted"));
                run.put("plans_updated", row.getInteger("plans_updated"));
                run.put("plans_unchanged", row.getInteger("plans_unchanged"));
                run.put("plans_gone_stale", row.getInteger("plans_gone_stale"));
                run.put("skipped_total", row.getInteger("skipped_total"));
                run.put("skipped", rawJson(row.getString("skipped")));
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> runs = (List<Map<String, Object>>) provider.get("recent_runs");
                runs.add(run);
            }
            return list;
        }));
    }

    private void syncNow(RoutingContext ctx) {
        Optional<RegisteredProvider> provider = registry.byName(ctx.pathParam("name"));
        if (provider.isEmpty()) {
            send(ctx, 404, error("not_found", "no provider named " + ctx.pathParam("name") + " is configured here"));
            return;
        }
        LOG.infof("operator asked to sync provider %s now", provider.get().name());
        coordinator.tick(provider.get()).subscribe().with(result -> {
            if (result instanceof SyncCoordinator.TickResult.Synced synced) {
                SyncRun run = synced.run();
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("provider", provider.get().name());
                body.put("outcome", run.outcome.code());
                body.put("failure_reason", run.failureReason);
                body.put("failure_detail", run.failureDetail);
                body.put("plans_inserted", run.plansInserted);
                body.put("plans_updated", run.plansUpdated);
                body.put("plans_unchanged", run.plansUnchanged);
                body.put("plans_gone_stale", run.plansGoneStale);
                body.put("skipped", run.skipped);
                send(ctx, 200, body);
            } else if (result instanceof SyncCoordinator.TickResult.Paused) {
                send(ctx, 409, error("paused", "provider is paused; resume it first"));
            } else {
                send(ctx, 409, error("not_leader", "another instance leads this provider; ask that one, or wait for its next tick"));
            }
        }, failure -> send(ctx, 503, error("unavailable", String.valueOf(failure.getMessage()))));
    }

    /**
     * Confirm: the held feed applies the next time the provider sends it, which a sync started here at once asks
     * for when this instance leads the provider or can take it (else the leader's next sync). Reject: the hold ends and the
     * catalogue stays as it is; a dropping feed starts a new hold.
     */
    private void decideHold(RoutingContext ctx, boolean confirm) {
        String name = ctx.pathParam("name");
        Uni.createFrom().item(() -> {
            try {
                return confirm ? providerRepository.confirmHeld(name) : providerRepository.rejectHeld(name);
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }).runSubscriptionOn(io.smallrye.mutiny.infrastructure.Infrastructure.getDefaultWorkerPool())
                .subscribe().with(decision -> {
                    switch (decision) {
                        case UNKNOWN_PROVIDER -> send(ctx, 404, error("not_found", "no provider named " + name));
                        case NOT_HELD -> send(ctx, 409, error("not_held", "provider " + name + " has no held feed"));
                        case DONE -> {
                            LOG.warnf("operator %s the held feed of provider %s", confirm ? "confirmed" : "rejected", name);
                            Optional<RegisteredProvider> here = registry.byName(name);
                            if (!confirm || here.isEmpty()) {
                                send(ctx, 200, Map.of("provider", name, "hold", confirm ? "confirmed" : "rejected"));
                                return;
                            }
                            coordinator.tick(here.get()).subscribe().with(result -> {
                                Map<String, Object> body = new LinkedHashMap<>();
                                body.put("provider", name);
                                body.put("hold", "confirmed");
                                if (result instanceof SyncCoordinator.TickResult.Synced synced) {
                                    body.put("outcome", synced.run().outcome.code());
                                    body.put("failure_reason", synced.run().failureReason);
                                    body.put("plans_gone_stale", synced.run().plansGoneStale);
                                } else {
                                    body.put("applies", "at the next sync of the instance leading the provider");
                                }
                                send(ctx, 200, body);
                            }, failure -> send(ctx, 503, error("unavailable", String.valueOf(failure.getMessage()))));
                        }
                    }
                }, failure -> send(ctx, 503, error("unavailable", String.valueOf(failure.getMessage()))));
    }

    private void setPaused(RoutingContext ctx, boolean paused) {
        String name = ctx.pathParam("name");
        pool.preparedQuery(SET_PAUSED).execute(Tuple.of(paused, name)).subscribe().with(rows -> {
            if (rows.rowCount() == 0) {
                send(ctx, 404, error("not_found", "no provider named " + name));
                return;
            }
            LOG.infof("operator %s provider %s", paused ? "paused" : "resumed", name);
            send(ctx, 200, Map.of("provider", name, "paused", paused));
        }, failure -> send(ctx, 503, error("unavailable", String.valueOf(failure.getMessage()))));
    }

    private void respond(RoutingContext ctx, Uni<?> body) {
        body.subscribe().with(value -> {
            if (value == null) {
                send(ctx, 404, error("not_found", "no such provider"));
            } else {
                send(ctx, 200, value);
            }
        }, failure -> send(ctx, 503, error("unavailable", String.valueOf(failure.getMessage()))));
    }

    private void authFailure(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        if (ctx.response().ended()) {
            return;
        }
        if (failure instanceof AuthenticationFailedException || failure instanceof UnauthorizedException
                || failure instanceof AuthenticationCompletionException) {
            ctx.response().putHeader("WWW-Authenticate", OperatorChallenge.CHALLENGE);
            send(ctx, 401, error("unauthorized", "operator actions need the credentials of an operator (HTTP basic)"));
        } else if (failure instanceof ForbiddenException) {
            send(ctx, 403, error("forbidden", "this user may not take operator actions"));
        } else {
            ctx.next();
        }
    }

    private void send(RoutingContext ctx, int status, Object body) {
        try {
            ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                    .putHeader("Cache-Control", "no-store")
                    .end(json.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            ctx.fail(e);
        }
    }

    private static Map<String, Object> error(String code, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("data", null);
        body.put("error", error);
        return body;
    }

    private Object rawJson(String text) {
        try {
            return text == null ? null : json.readTree(text);
        } catch (JsonProcessingException e) {
            return text;
        }
    }

    private static String text(OffsetDateTime time) {
        return time == null ? null : time.toInstant().toString();
    }
}
