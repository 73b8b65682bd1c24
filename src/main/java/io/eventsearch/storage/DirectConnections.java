package io.eventsearch.storage;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.vertx.pgclient.PgConnectOptions;

/**
 * Connection options for the few connections that must not come from a pool: the leader connection that holds
 * advisory locks for the life of its session, and the LISTEN connection. Same server and credentials as the
 * reactive datasource.
 */
@ApplicationScoped
public class DirectConnections {

    private final String url;
    private final Optional<String> username;
    private final Optional<String> password;

    public DirectConnections(
            @ConfigProperty(name = "quarkus.datasource.reactive.url") String url,
            @ConfigProperty(name = "quarkus.datasource.username") Optional<String> username,
            @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
        this.url = url;
        this.username = username;
        this.password = password;
    }

    public PgConnectOptions options(String applicationName) {
        String uri = url.startsWith("vertx-reactive:") ? url.substring("vertx-reactive:".length()) : url;
        PgConnectOptions options = PgConnectOptions.fromUri(uri);
        username.ifPresent(options::setUser);
        password.ifPresent(options::setPassword);
        options.addProperty("application_name", applicationName);
        options.setConnectTimeout(5000);
        options.setTcpKeepAlive(true);
        options.setMetricsName(applicationName);
        return options;
    }
}
