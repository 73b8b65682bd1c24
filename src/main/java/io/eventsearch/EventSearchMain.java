package io.eventsearch;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * Entry point. Its one job before starting Quarkus: let requests with an undecodable URI (a stray {@code %})
 * reach the router, where they fail with 400 and get the contract's error body (see MalformedQueryGuard),
 * instead of an empty 400 from Quarkus' early URI check.
 */
@QuarkusMain
public class EventSearchMain {

    public static void main(String... args) {
        System.setProperty("vertx.disableURIValidation", "true");
        Quarkus.run(args);
    }
}
