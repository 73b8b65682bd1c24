package io.eventsearch.search.cache;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

import org.jboss.logging.Logger;

/**
 * Whether a Redis-backed feature should call Redis right now. Redis is an optimisation here, never a dependency:
 * after a failure (an error, or an answer slower than the caller's timeout) calls skip Redis for a back-off, then
 * exactly one call probes it; success reopens the gate for everyone, failure starts another back-off. Under
 * overload this keeps a struggling Redis from being hit by every request at each back-off end, and the log gets
 * one line when Redis goes and one when it comes back (repeated "down" lines at most once a minute).
 */
public final class RedisGate {

    private static final Logger LOG = Logger.getLogger(RedisGate.class);
    private static final long DOWN_LOG_EVERY_MILLIS = 60_000;

    private final String feature;
    private final String whileDown;
    private final long retryAfterMillis;
    private final LongSupplier clock;
    private final AtomicBoolean down = new AtomicBoolean();
    private final AtomicBoolean probing = new AtomicBoolean();
    private volatile long retryAt;
    private volatile long lastDownLog = Long.MIN_VALUE / 2;

    /**
     * @param feature what uses Redis, for log lines ("search cache")
     * @param whileDown what happens instead while Redis is skipped, for log lines
     */
    public RedisGate(String feature, String whileDown, Duration retryAfter) {
        this(feature, whileDown, retryAfter, System::currentTimeMillis);
    }

    RedisGate(String feature, String whileDown, Duration retryAfter, LongSupplier clock) {
        this.feature = feature;
        this.whileDown = whileDown;
        this.retryAfterMillis = retryAfter.toMillis();
        this.clock = clock;
    }

    /**
     * True when the caller should use Redis: always while it is up; while it is down, only for the one caller
     * that probes it once the back-off has passed. A caller given true must report {@link #succeeded} or
     * {@link #failed}.
     */
    public boolean tryEnter() {
        if (!down.get()) {
            return true;
        }
        return clock.getAsLong() >= retryAt && probing.compareAndSet(false, true);
    }

    /** Whether Redis is considered up (for health details). */
    public boolean up() {
        return !down.get();
    }

    public void succeeded() {
        probing.set(false);
        if (down.compareAndSet(true, false)) {
            LOG.infof("%s: Redis reachable again", feature);
        }
    }

    public void failed(Throwable failure) {
        long now = clock.getAsLong();
        retryAt = now + retryAfterMillis;
        probing.set(false);
        boolean wentDown = down.compareAndSet(false, true);
        if (wentDown && now - lastDownLog >= DOWN_LOG_EVERY_MILLIS) {
            lastDownLog = now;
            LOG.warnf("%s: Redis unreachable or slow (%s); %s, probing again every %d ms", feature,
                    failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage(), whileDown,
                    retryAfterMillis);
        } else if (wentDown) {
            LOG.debugf("%s: Redis unreachable or slow again (%s)", feature, failure.getMessage());
        }
    }
}
