package io.eventsearch.ops;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.eventsearch.search.sql.SearchPool;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;

/**
 * The read replica as a readiness detail: search falls back to the primary when the replica fails, so a replica
 * outage shows here but never takes the instance out of the load balancer (the replica datasource is excluded
 * from Quarkus' own datasource check for that reason).
 */
@Readiness
@ApplicationScoped
public class SearchReplicaHealthCheck implements AsyncHealthCheck {

    private static final String NAME = "search-replica";
    private final SearchPool pool;

    public SearchReplicaHealthCheck(SearchPool pool) {
        this.pool = pool;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        if (!pool.replica()) {
            return Uni.createFrom().item(HealthCheckResponse.named(NAME).up().withData("replica", "not configured").build());
        }
        return pool.replicaReachable().map(reachable -> reachable
                ? HealthCheckResponse.named(NAME).up().withData("replica", "up").build()
                : HealthCheckResponse.named(NAME).up().withData("replica", "down")
                        .withData("degraded", "search reads the primary").build());
    }
}
