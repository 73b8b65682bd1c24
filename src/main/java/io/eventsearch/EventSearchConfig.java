package io.eventsearch;

import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * Every {@code events.*} key of the service. docs/configuration.md documents each one;
 * environment variables follow Quarkus' mapping ({@code EVENTS_PROVIDERS_FEVER_URL}).
 */
@ConfigMapping(prefix = "events")
public interface EventSearchConfig {

    /** Providers to ingest, by name ({@code events.providers.<name>.*}). */
    Map<String, Provider> providers();

    /** Identifies this instance in sync runs and lock diagnostics; defaults to host name and pid. */
    @WithName("instance-id")
    Optional<String> instanceId();

    Ingestion ingestion();

    /** The operator user of the management interface's actions ({@code events.operator.*}). */
    Operator operator();

    interface Operator {
        /**
         * HTTP basic password of user {@code operator}, who may call the POST /ops actions (Quarkus' embedded users
         * take it from here). Set from a Secret: EVENTS_OPERATOR_PASSWORD. No default: the service does not start
         * without one.
         */
        String password();
    }

    Search search();

    DemoProvider demoProvider();

    // --- search v2, HTTP caching, rate limit --------------------------------------------------------------

    /** Token-bucket rate limit of the search endpoints ({@code events.rate-limit.*}). */
    RateLimit rateLimit();

    interface RateLimit {
        /** Master switch (benchmarks turn it off). */
        @WithDefault("true")
        boolean enabled();

        /** Bucket size: the burst a client may send at once. */
        @WithDefault("200")
        int capacity();

        /** Tokens added back per second, per client (fractions allowed: 0.5 is one request every 2 s). */
        @WithDefault("100")
        double refillPerSecond();

        /** Header naming the client; requests without it are limited per remote address. */
        @WithDefault("X-API-Key")
        String apiKeyHeader();

        /** Share buckets across instances through Redis; off means local buckets only. */
        @WithDefault("true")
        boolean redis();

        /** A slower Redis call is abandoned and the local bucket decides. */
        @WithDefault("50ms")
        Duration redisTimeout();

        /** After a Redis failure, how long to decide locally before trying Redis again. */
        @WithDefault("5s")
        Duration redisRetryAfter();

        /** Bound of the local (fallback) buckets, and of the clients' leases, kept in memory. */
        @WithDefault("100000")
        int localMaxClients();

        /**
         * Share of the capacity an instance takes from a client's shared bucket at a time and spends locally (at
         * least one token): a client gets at most capacity + one lease per instance above the refill.
         */
        @WithDefault("0.1")
        double leaseShare();

        /** A client idle this long on an instance gives its unspent leased tokens back to the shared bucket. */
        @WithDefault("1s")
        Duration leaseIdle();
    }

    interface Provider {
        /** http, https or file URL of the feed. */
        String url();

        /** How often the feed is synced. */
        @WithDefault("30s")
        Duration every();

        /** Time zone in which the provider's local date-times are given. */
        @WithDefault("UTC")
        ZoneId timeZone();

        @WithDefault("5s")
        Duration connectTimeout();

        /** Upper bound for one download attempt, headers and body together. */
        @WithDefault("60s")
        Duration timeout();

        /** A download that grows past this stops there and the sync fails. */
        @WithDefault("512M")
        MemorySize maxFeedSize();

        @WithDefault("true")
        boolean enabled();

        /** An empty feed (no valid plan) applies at once; otherwise it is held until an operator decides. */
        @WithDefault("false")
        boolean allowEmptyFeed();

        /** A feed dropping more than max-drop-ratio applies only as the last of this many such feeds in a row... */
        @WithDefault("3")
        int massDropFeeds();

        /** ...the first of which came at least this long before it. */
        @WithDefault("5m")
        Duration massDropAfter();
    }

    interface Ingestion {
        /** Master switch for scheduled syncs (tests drive syncs by hand). */
        @WithDefault("true")
        boolean scheduled();

        /**
         * Plans per bulk write round trip (each a COPY per table): every statement has a fixed cost on the server, and
         * a batch costs its own size in memory (about 0.5 KiB a plan of five zones).
         */
        @WithDefault("2000")
        int batchSize();

        /** A feed dropping more than this share of the in-scope catalogue is held (see the providers' mass-drop keys). */
        @WithDefault("0.5")
        double maxDropRatio();

        /** Where downloads are spooled before parsing; defaults to java.io.tmpdir. */
        Optional<String> spoolDirectory();

        /** {@link #spoolDirectory()}, or java.io.tmpdir when it is not set. */
        default java.nio.file.Path spoolPath() {
            return java.nio.file.Path.of(spoolDirectory().orElse(System.getProperty("java.io.tmpdir")));
        }

        /**
         * How long a fresh process digests, scans and parses a generated feed before its first scheduled sync, so that
         * the sync runs compiled code (see IngestionWarmUp); 0 for none.
         */
        @WithDefault("2s")
        Duration warmUp();

        Retry retry();

        CircuitBreaker circuitBreaker();

        interface Retry {
            @WithDefault("3")
            int maxRetries();

            @WithDefault("500ms")
            Duration initialDelay();

            @WithDefault("10s")
            Duration maxDelay();

            @WithDefault("250ms")
            Duration jitter();
        }

        interface CircuitBreaker {
            /** Downloads considered when deciding to open. */
            @WithDefault("4")
            int requestVolume();

            @WithDefault("0.75")
            double failureRatio();

            /** Time an open breaker waits before letting one download through. */
            @WithDefault("60s")
            Duration delay();
        }
    }

    interface Search {
        /** {@code latest}: plans in their provider's latest applied sync; {@code ever-seen}: every plan ever seen online. */
        @WithDefault("latest")
        Scope scope();

        Cache cache();

        /** Short windows assembled in process from day slices; see docs/architecture.md "One search". */
        Slices slices();

        /** The in-process model of the visible catalogue that answers every query shape. */
        ReadModel readModel();

        interface ReadModel {
            /** Serve from the model (off: every answer comes from the caches and SQL). */
            @WithDefault("true")
            boolean enabled();

            /** Memory the model may hold; above it the service says so and serves from SQL instead. */
            @WithDefault("256M")
            MemorySize maxSize();

            /** After the model went over budget or failed to load, how long before loading it again is tried. */
            @WithDefault("60s")
            Duration retryAfter();

            /**
             * Bound of each statement that loads or moves the model (a page of 5,000 plans takes milliseconds); a
             * slower one fails and is tried again, rather than holding its connection, and shutdown, meanwhile.
             */
            @WithDefault("30s")
            Duration statementTimeout();
        }

        /** Requests an instance sends itself once its model is loaded, before readiness goes UP. */
        WarmUp warmUp();

        interface WarmUp {
            /**
             * How long to exercise the serving path (v1 windows of every length, v2 pages with filters and zones,
             * revalidations) over loopback, so the JIT has compiled it before the first client arrives (0: off).
             */
            @WithDefault("10s")
            Duration duration();

            /** Concurrent connections of the warm-up. */
            @WithDefault("8")
            int connections();
        }

        // --- search v2, HTTP caching, bounded work ---

        /** Cache headers for the CDN and browsers in front. */
        Http http();

        /** Longest window a search may span (0 turns the check off); see docs/api.md "What each API guarantees". */
        @WithDefault("366d")
        Duration maxWindow();

        /** Page sizes of {@code /v2/search}. */
        Page page();

        /** After the read replica fails a query the primary answers, how long search reads the primary only. */
        @WithDefault("5s")
        Duration replicaRetryAfter();

        /** A search statement the read replica has not answered within this is asked of the primary instead. */
        @WithDefault("2s")
        Duration replicaTimeout();

        interface Http {
            /** {@code Cache-Control: public, max-age}: how long a CDN may serve an answer without asking. */
            @WithDefault("5s")
            Duration maxAge();

            /** How long past max-age a CDN may serve the old answer while it revalidates (0: not sent). */
            @WithDefault("10s")
            Duration staleWhileRevalidate();

            /** How long past max-age a CDN may serve the old answer when this service fails (0: not sent). */
            @WithDefault("300s")
            Duration staleIfError();

            /**
             * HTTP/2 without TLS on the public port (prior knowledge and the {@code Upgrade: h2c} of HTTP/1.1). Off:
             * clients that ask for the upgrade get HTTP/1.1 answers; see PublicHttpProtocols for why.
             */
            @WithDefault("false")
            boolean cleartextHttp2();
        }

        interface Page {
            @WithDefault("50")
            int defaultSize();

            @WithDefault("500")
            int maxSize();
        }

        enum Scope {
            LATEST,
            EVER_SEEN
        }

        interface Slices {
            /** Answer short windows from day slices (off: every window not in a cache is its own query). */
            @WithDefault("true")
            boolean enabled();

            /** Longest window answered from day slices; longer ones are one query each, cached whole. */
            @WithDefault("31d")
            Duration maxWindow();

            /** Upper bound of the day slices held, in bytes of JSON (least recently used days go first). */
            @WithDefault("128M")
            MemorySize maxSize();
        }

        interface Cache {
            /** Lifetime of a cached answer in Redis. A sync makes older answers unreachable anyway. */
            @WithDefault("60s")
            Duration ttl();

            /** Upper bound for the near cache, in bytes of JSON. */
            @WithDefault("64M")
            MemorySize nearMaxSize();

            /** Use Redis as the shared cache layer; off means in-process only. */
            @WithDefault("true")
            boolean redis();

            /** A Redis call slower than this is abandoned and the answer comes from below. */
            @WithDefault("50ms")
            Duration redisTimeout();

            /** After a Redis failure, how long to serve without Redis before trying it again. */
            @WithDefault("5s")
            Duration redisRetryAfter();
        }
    }

    interface DemoProvider {
        /** Serves the bundled sample feeds at /demo-provider/feed (on in the dev profile). */
        @WithDefault("false")
        boolean enabled();

        /** Share of answers that are a 503 with an empty body, like the public provider. */
        @WithDefault("0")
        double failureRatio();

        @WithDefault("0ms")
        Duration minLatency();

        @WithDefault("0ms")
        Duration maxLatency();
    }
}
