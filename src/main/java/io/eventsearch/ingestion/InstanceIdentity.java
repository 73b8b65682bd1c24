package io.eventsearch.ingestion;

import java.net.InetAddress;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.eventsearch.EventSearchConfig;

/** Names this instance in sync runs and in the leader connection's application_name. */
@ApplicationScoped
public class InstanceIdentity {

    private final String id;

    public InstanceIdentity(EventSearchConfig config) {
        this.id = config.instanceId().filter(s -> !s.isBlank()).orElseGet(InstanceIdentity::defaultId);
    }

    public String id() {
        return id;
    }

    private static String defaultId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "unknown";
        }
        return host + "-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
