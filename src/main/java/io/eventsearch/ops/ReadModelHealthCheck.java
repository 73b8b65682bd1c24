package io.eventsearch.ops;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import io.eventsearch.search.http.ServingWarmUp;
import io.eventsearch.search.readmodel.ReadModel;

/**
 * The read model in readiness: DOWN until it is loaded and the serving path is warmed up (so no instance takes
 * traffic before it answers from it at full speed), then UP with its figures; over its memory budget it stays UP
 * and says that searches are answered from SQL.
 */
@Readiness
@ApplicationScoped
public class ReadModelHealthCheck implements org.eclipse.microprofile.health.HealthCheck {

    private final ReadModel model;
    private final ServingWarmUp warmUp;

    public ReadModelHealthCheck(ReadModel model, ServingWarmUp warmUp) {
        this.model = model;
        this.warmUp = warmUp;
    }

    @Override
    public HealthCheckResponse call() {
        ReadModel.Status s = model.status();
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("read-model");
        if (!s.enabled()) {
            return builder.up().withData("state", "off: answers come from the caches and SQL").build();
        }
        if (!s.ready()) {
            return builder.down().withData("state", "loading").withData("problem", String.valueOf(s.problem())).build();
        }
        if (!warmUp.done()) {
            return builder.down().withData("state", "warming up").withData("plans", s.plans())
                    .withData("warm_up_searches", warmUp.requests()).build();
        }
        builder.up().withData("budget_bytes", s.maxBytes());
        if (s.overBudget()) {
            return builder.withData("state", "over budget: searches are answered from SQL").build();
        }
        return builder.withData("state", "serving").withData("plans", s.plans()).withData("bytes", s.bytes())
                .withData("bytes_per_plan", s.bytesPerPlan()).withData("data_version", s.version()).build();
    }
}
