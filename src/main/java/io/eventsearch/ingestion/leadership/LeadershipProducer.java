package io.eventsearch.ingestion.leadership;

import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.eventsearch.ingestion.InstanceIdentity;
import io.eventsearch.storage.DirectConnections;
import io.vertx.mutiny.core.Vertx;

/** This instance's leadership, on its own connection to the primary. */
public class LeadershipProducer {

    @Produces
    @Singleton
    ProviderLeadership leadership(Vertx vertx, DirectConnections connections, InstanceIdentity instance) {
        return new ProviderLeadership(vertx, connections.options("event-search"), instance.id());
    }

    /** On shutdown: closing the session releases every advisory lock at once. */
    void close(@Disposes ProviderLeadership leadership) {
        leadership.close().await().atMost(java.time.Duration.ofSeconds(5));
    }
}
