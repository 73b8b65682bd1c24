package io.eventsearch.provider;

import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.util.TypeLiteral;

import org.jboss.logging.Logger;

import io.eventsearch.EventSearchConfig;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.TypedGuard;
import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

/**
 * Per-provider fault tolerance around feed downloads (SmallRye Fault Tolerance): retries with exponential backoff
 * and jitter for failures worth retrying, and a circuit breaker per provider so that a dead provider is asked once
 * per breaker delay instead of at every tick. Breaker names are {@code provider-<name>}.
 */
@ApplicationScoped
public class ProviderGuards {

    private static final Logger LOG = Logger.getLogger(ProviderGuards.class);
    private static final TypeLiteral<Uni<FeedDownload>> DOWNLOAD = new TypeLiteral<>() {
    };

    private final EventSearchConfig.Ingestion config;
    private final FeedFetcher fetcher;
    private final Map<String, TypedGuard<Uni<FeedDownload>>> guards = new ConcurrentHashMap<>();

    public ProviderGuards(EventSearchConfig config, FeedFetcher fetcher) {
        this.config = config.ingestion();
        this.fetcher = fetcher;
    }

    public static String breakerName(String provider) {
        return "provider-" + provider;
    }

    /** Downloads the feed with retries behind the provider's breaker. Failures are {@link FeedFetchException}s. */
    public Uni<FeedDownload> fetch(ProviderSettings provider, String etag, String lastModified) {
        AtomicInteger attempts = new AtomicInteger();
        AtomicReference<FeedFetchException> lastFailure = new AtomicReference<>();
        return guard(provider.name())
                .get(() -> {
                    attempts.incrementAndGet();
                    return fetcher.fetchOnce(provider, etag, lastModified)
                            .onFailure(FeedFetchException.class).invoke(e -> {
                                FeedFetchException failed = (FeedFetchException) e;
                                lastFailure.set(failed);
                                if (failed.retryable()) {
                                    // the run records the last failure only: each attempt's is here
                                    LOG.infof("provider %s: download attempt %d failed: %s (%s)", provider.name(),
                                            attempts.get(), failed.reason(), failed.getMessage());
                                }
                            });
                })
                .map(download -> download.withAttempts(attempts.get()))
                .onFailure().transform(failure -> {
                    if (failure instanceof FeedFetchException fetch) {
                        return fetch.attempts(attempts.get());
                    }
                    if (failure instanceof CircuitBreakerOpenException) {
                        FeedFetchException cause = lastFailure.get();
                        if (cause != null) {
                            // this sync's own attempts opened the breaker: their failure is the reason
                            return new FeedFetchException(cause.reason(), cause.getMessage() + " (circuit breaker now open)",
                                    cause.httpStatus(), false).attempts(attempts.get());
                        }
                        return new FeedFetchException("circuit_open",
                                "circuit breaker open after repeated failures; provider not asked", null, false)
                                .attempts(attempts.get());
                    }
                    return new FeedFetchException("fetch_failed", String.valueOf(failure), null, false)
                            .attempts(attempts.get());
                });
    }

    public CircuitBreakerState state(String provider) {
        if (!guards.containsKey(provider)) {
            return CircuitBreakerState.CLOSED;
        }
        return CircuitBreakerMaintenance.get().currentState(breakerName(provider));
    }

    /** Operator action: closes the breaker so the next tick asks the provider again. */
    public void reset(String provider) {
        if (guards.containsKey(provider)) {
            CircuitBreakerMaintenance.get().reset(breakerName(provider));
        }
    }

    private TypedGuard<Uni<FeedDownload>> guard(String provider) {
        return guards.computeIfAbsent(provider, name -> TypedGuard.create(DOWNLOAD)
                .withDescription("feed download of provider " + name)
                .withRetry()
                    .maxRetries(config.retry().maxRetries())
                    .delay(config.retry().initialDelay().toMillis(), ChronoUnit.MILLIS)
                    .jitter(config.retry().jitter().toMillis(), ChronoUnit.MILLIS)
                    .maxDuration(30, ChronoUnit.MINUTES)
                    .whenException(e -> e instanceof FeedFetchException f && f.retryable())
                    .withExponentialBackoff()
                        .factor(2)
                        .maxDelay(config.retry().maxDelay().toMillis(), ChronoUnit.MILLIS)
                        .done()
                    .done()
                .withCircuitBreaker()
                    .name(breakerName(name))
                    .requestVolumeThreshold(config.circuitBreaker().requestVolume())
                    .failureRatio(config.circuitBreaker().failureRatio())
                    .delay(config.circuitBreaker().delay().toMillis(), ChronoUnit.MILLIS)
                    .successThreshold(1)
                    .when(e -> e instanceof FeedFetchException f && f.retryable())
                    .onStateChange(state -> LOG.infof("provider %s: circuit breaker %s", name, state))
                    .done()
                .build());
    }
}
