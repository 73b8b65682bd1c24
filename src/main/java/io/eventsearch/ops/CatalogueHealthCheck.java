package io.eventsearch.ops;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.eclipse.microprofile.health.Startup;
import org.flywaydb.core.Flyway;

import io.eventsearch.storage.CatalogueVersion;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;

/**
 * Startup and readiness: the schema is migrated to what this build expects (checked once at start-up, when
 * Flyway has run) and the catalogue answers through the search path's own (reactive) pool.
 */
@Startup
@Readiness
@ApplicationScoped
public class CatalogueHealthCheck implements AsyncHealthCheck {

    private static final String NAME = "catalogue";
    private final Flyway flyway;
    private final CatalogueVersion version;
    private volatile int pendingMigrations = -1;
    private volatile String schemaVersion = "unknown";

    public CatalogueHealthCheck(Flyway flyway, CatalogueVersion version) {
        this.flyway = flyway;
        this.version = version;
    }

    void inspectSchema(@Observes StartupEvent event) {
        var info = flyway.info();
        pendingMigrations = info.pending().length;
        schemaVersion = info.current() == null ? "none" : info.current().getVersion().getVersion();
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        if (pendingMigrations != 0) {
            return Uni.createFrom().item(HealthCheckResponse.named(NAME).down()
                    .withData("pending_migrations", pendingMigrations).withData("schema_version", schemaVersion).build());
        }
        return version.refresh()
                .map(current -> HealthCheckResponse.named(NAME).up()
                        .withData("schema_version", schemaVersion)
                        .withData("data_version", current.version())
                        .withData("last_change", current.changedAt().toString())
                        .build())
                .onFailure().recoverWithItem(failure -> HealthCheckResponse.named(NAME).down()
                        .withData("schema_version", schemaVersion)
                        .withData("error", String.valueOf(failure.getMessage())).build());
    }
}
