package io.eventsearch.ops;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.eventsearch.ingestion.ProviderRegistry;
import io.eventsearch.ingestion.RegisteredProvider;
import io.eventsearch.ingestion.SyncCoordinator;
import io.eventsearch.ingestion.leadership.ProviderLeadership;
import io.eventsearch.provider.ProviderGuards;
import io.eventsearch.search.api.ApiError;
import io.eventsearch.storage.ProviderRepository;
import io.eventsearch.storage.ProviderRepository.ProviderOverview;
import io.eventsearch.storage.SyncRun;
import io.eventsearch.storage.SyncRunRepository;
import io.eventsearch.storage.SyncRunRepository.RecentRun;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.security.AuthenticationCompletionException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.vertx.http.ManagementInterface;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

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
 * interface ({@code quarkus.management.auth.*} in application.properties); the GET endpoints are open. Reads and
 * writes go through the repositories of {@code storage} (blocking JDBC, on a worker thread); answers are the
 * records below rendered by Jackson (registered for reflection: the native image), errors the service's one
 * envelope ({@link ApiError}).
 */
@ApplicationScoped
public class OperatorRoutes {

    private static final Logger LOG = Logger.getLogger(OperatorRoutes.class);

    /** {@code GET /ops/providers}. */
    @RegisterForReflection
    record Providers(List<ProviderView> providers) {
    }

    /** A provider: its row, how it is configured here (absent when it is not), leadership, breaker, recent runs. */
    @RegisterForReflection
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record ProviderView(int id, String name, boolean configuredHere,
            @JsonInclude(JsonInclude.Include.NON_NULL) String url,
            @JsonInclude(JsonInclude.Include.NON_NULL) String every,
            @JsonInclude(JsonInclude.Include.NON_NULL) String timeZone,
            @JsonInclude(JsonInclude.Include.NON_NULL) Boolean enabled,
            boolean paused, boolean leaderHere, String circuit, Instant currentSeenAt, Instant lastConfirmedAt,
            Instant heldSince, String heldReason, Integer heldFeeds, boolean holdConfirmed, long plansInScope,
            List<RunView> recentRuns) {
    }

    @RegisterForReflection
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record RunView(long id, String instance, Instant startedAt, Instant finishedAt, String outcome,
            String failureReason, String failureDetail, Integer httpStatus, Integer attempts, Long feedBytes,
            Long durationMs, Integer plansSeen, Integer plansInserted, Integer plansUpdated, Integer plansUnchanged,
            Integer plansGoneStale, Integer skippedTotal, JsonNode skipped) {
    }

    /** {@code POST .../sync}: the run this instance made. */
    @RegisterForReflection
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Synced(String provider, String outcome, String failureReason, String failureDetail, long plansInserted,
            long plansUpdated, long plansUnchanged, long plansGoneStale, Map<String, Long> skipped) {
    }

    @RegisterForReflection
    record PauseChanged(String provider, boolean paused) {
    }

    @RegisterForReflection
    record CircuitReset(String provider, String circuit) {
    }

    /** {@code POST .../hold/*}: the decision, and when it applies if no sync here applied it at once. */
    @RegisterForReflection
    record HoldDecided(String provider, String hold, @JsonInclude(JsonInclude.Include.NON_NULL) String applies) {
    }

    /** {@code POST .../hold/confirm} followed by a sync on this instance. */
    @RegisterForReflection
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record HoldApplied(String provider, String hold, String outcome, String failureReason, long plansGoneStale) {
    }

    private final ProviderRepository providerRepository;
    private final SyncRunRepository runs;
    private final ProviderRegistry registry;
    private final ProviderLeadership leadership;
    private final ProviderGuards guards;
    private final SyncCoordinator coordinator;
    private final ObjectMapper json;

    public OperatorRoutes(ProviderRepository providerRepository, SyncRunRepository runs, ProviderRegistry registry,
            ProviderLeadership leadership, ProviderGuards guards, SyncCoordinator coordinator, ObjectMapper json) {
        this.providerRepository = providerRepository;
        this.runs = runs;
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
        router.get("/ops/providers").handler(ctx -> respond(ctx, providers(null, 5).map(Providers::new)));
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
                error(ctx, 404, ApiError.NOT_FOUND, "no provider named " + ctx.pathParam("name"));
                return;
            }
            guards.reset(provider.get().name());
            LOG.infof("operator reset the circuit breaker of provider %s", provider.get().name());
            send(ctx, 200, new CircuitReset(provider.get().name(), "closed"));
        });
    }

    private Uni<List<ProviderView>> providers(String name, int runsPerProvider) {
        return blocking(() -> {
            List<ProviderOverview> rows = providerRepository.overview(name);
            Map<Integer, List<RunView>> recent = new LinkedHashMap<>();
            for (RecentRun run : runs.recent(name, runsPerProvider)) {
                recent.computeIfAbsent(run.providerId(), id -> new ArrayList<>()).add(view(run));
            }
            List<ProviderView> out = new ArrayList<>(rows.size());
            for (ProviderOverview row : rows) {
                Optional<RegisteredProvider> configured = registry.byName(row.name());
                out.add(new ProviderView(row.id(), row.name(), configured.isPresent(),
                        configured.map(c -> ProviderRegistry.redact(c.settings().url())).orElse(null),
                        configured.map(c -> c.settings().every().toString()).orElse(null),
                        configured.map(c -> c.settings().timeZone().getId()).orElse(null),
                        configured.map(c -> c.settings().enabled()).orElse(null),
                        row.paused(), leadership.leads(row.id()),
                        guards.state(row.name()).name().toLowerCase(Locale.ROOT), row.currentSeenAt(),
                        row.lastConfirmedAt(), row.heldSince(), row.heldReason(), row.heldFeeds(), row.holdConfirmed(),
                        row.plansInScope(), recent.getOrDefault(row.id(), List.of())));
            }
            return out;
        });
    }

    private RunView view(RecentRun run) {
        return new RunView(run.id(), run.instance(), run.startedAt(), run.finishedAt(), run.outcome(),
                run.failureReason(), run.failureDetail(), run.httpStatus(), run.attempts(), run.feedBytes(),
                run.durationMs(), run.plansSeen(), run.plansInserted(), run.plansUpdated(), run.plansUnchanged(),
                run.plansGoneStale(), run.skippedTotal(), rawJson(run.skipped()));
    }

    private void syncNow(RoutingContext ctx) {
        Optional<RegisteredProvider> provider = registry.byName(ctx.pathParam("name"));
        if (provider.isEmpty()) {
            error(ctx, 404, ApiError.NOT_FOUND, "no provider named " + ctx.pathParam("name") + " is configured here");
            return;
        }
        LOG.infof("operator asked to sync provider %s now", provider.get().name());
        coordinator.tick(provider.get()).subscribe().with(result -> {
            if (result instanceof SyncCoordinator.TickResult.Synced synced) {
                SyncRun run = synced.run();
                send(ctx, 200, new Synced(provider.get().name(), run.outcome.code(), run.failureReason,
                        run.failureDetail, run.plansInserted, run.plansUpdated, run.plansUnchanged, run.plansGoneStale,
                        run.skipped));
            } else if (result instanceof SyncCoordinator.TickResult.Paused) {
                error(ctx, 409, "paused", "provider is paused; resume it first");
            } else {
                error(ctx, 409, "not_leader", "another instance leads this provider; ask that one, or wait for its next tick");
            }
        }, failure -> unavailable(ctx, failure));
    }

    /**
     * Confirm: the held feed applies the next time the provider sends it, which a sync started here at once asks
     * for when this instance leads the provider or can take it (else the leader's next sync). Reject: the hold ends and the
     * catalogue stays as it is; a dropping feed starts a new hold.
     */
    private void decideHold(RoutingContext ctx, boolean confirm) {
        String name = ctx.pathParam("name");
        blocking(() -> confirm ? providerRepository.confirmHeld(name) : providerRepository.rejectHeld(name))
                .subscribe().with(decision -> {
                    switch (decision) {
                        case UNKNOWN_PROVIDER -> error(ctx, 404, ApiError.NOT_FOUND, "no provider named " + name);
                        case NOT_HELD -> error(ctx, 409, "not_held", "provider " + name + " has no held feed");
                        case DONE -> {
                            LOG.warnf("operator %s the held feed of provider %s", confirm ? "confirmed" : "rejected", name);
                            Optional<RegisteredProvider> here = registry.byName(name);
                            if (!confirm || here.isEmpty()) {
                                send(ctx, 200, new HoldDecided(name, confirm ? "confirmed" : "rejected", null));
                                return;
                            }
                            coordinator.tick(here.get()).subscribe().with(result -> {
                                if (result instanceof SyncCoordinator.TickResult.Synced synced) {
                                    send(ctx, 200, new HoldApplied(name, "confirmed", synced.run().outcome.code(),
                                            synced.run().failureReason, synced.run().plansGoneStale));
                                } else {
                                    send(ctx, 200, new HoldDecided(name, "confirmed",
                                            "at the next sync of the instance leading the provider"));
                                }
                            }, failure -> unavailable(ctx, failure));
                        }
                    }
                }, failure -> unavailable(ctx, failure));
    }

    private void setPaused(RoutingContext ctx, boolean paused) {
        String name = ctx.pathParam("name");
        blocking(() -> providerRepository.setPaused(name, paused)).subscribe().with(found -> {
            if (!found) {
                error(ctx, 404, ApiError.NOT_FOUND, "no provider named " + name);
                return;
            }
            LOG.infof("operator %s provider %s", paused ? "paused" : "resumed", name);
            send(ctx, 200, new PauseChanged(name, paused));
        }, failure -> unavailable(ctx, failure));
    }

    private void respond(RoutingContext ctx, Uni<?> body) {
        body.subscribe().with(value -> {
            if (value == null) {
                error(ctx, 404, ApiError.NOT_FOUND, "no such provider");
            } else {
                send(ctx, 200, value);
            }
        }, failure -> unavailable(ctx, failure));
    }

    private void authFailure(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        if (ctx.response().ended()) {
            return;
        }
        if (failure instanceof AuthenticationFailedException || failure instanceof UnauthorizedException
                || failure instanceof AuthenticationCompletionException) {
            ctx.response().putHeader("WWW-Authenticate", OperatorChallenge.CHALLENGE);
            error(ctx, 401, OperatorChallenge.UNAUTHORIZED, OperatorChallenge.UNAUTHORIZED_MESSAGE);
        } else if (failure instanceof ForbiddenException) {
            error(ctx, 403, "forbidden", "this user may not take operator actions");
        } else {
            ctx.next();
        }
    }

    /** Blocking repository work (JDBC) off the event loop. */
    private static <T> Uni<T> blocking(Callable<T> work) {
        return Uni.createFrom().item(() -> {
            try {
                return work.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private void send(RoutingContext ctx, int status, Object body) {
        try {
            end(ctx, status, Buffer.buffer(json.writeValueAsBytes(body)));
        } catch (JsonProcessingException e) {
            ctx.fail(e);
        }
    }

    private static void unavailable(RoutingContext ctx, Throwable failure) {
        error(ctx, 503, ApiError.UNAVAILABLE, String.valueOf(failure.getMessage()));
    }

    private static void error(RoutingContext ctx, int status, String code, String message) {
        end(ctx, status, Buffer.buffer(ApiError.body(code, message)));
    }

    private static void end(RoutingContext ctx, int status, Buffer body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-store")
                .end(body);
    }

    private JsonNode rawJson(String text) {
        try {
            return text == null ? null : json.readTree(text);
        } catch (JsonProcessingException e) {
            return json.getNodeFactory().textNode(text);
        }
    }
}
