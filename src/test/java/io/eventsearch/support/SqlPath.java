package io.eventsearch.support;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The service with its read model off: searches are answered by the SQL path (near cache, day slices, Redis,
 * PostgreSQL), the path that serves while the model loads or is over budget. For tests of those layers.
 */
public class SqlPath implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("events.search.read-model.enabled", "false");
    }
}
