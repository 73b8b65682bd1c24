package io.eventsearch.ops;

import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.eventsearch.search.api.ApiError;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

/**
 * The 401 challenge of the operator actions, in the service's error envelope. Quarkus' HTTP basic mechanism of the
 * management interface ({@code quarkus.management.auth.basic}) checks the credentials against the embedded users
 * and its path permissions decide; this mechanism authenticates nobody, it only answers the challenge that Quarkus
 * sends when an anonymous request is denied (its priority puts it first), so the body is
 * {@code {"data":null,"error":{"code":"unauthorized",...}}} instead of empty.
 */
@ApplicationScoped
public class OperatorChallenge implements HttpAuthenticationMechanism {

    static final String CHALLENGE = "Basic realm=\"event-search operator\", charset=\"UTF-8\"";
    static final String UNAUTHORIZED = "unauthorized";
    static final String UNAUTHORIZED_MESSAGE = "operator actions need the credentials of an operator (HTTP basic)";

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
        return Uni.createFrom().optional(Optional.empty());
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, HttpHeaderNames.WWW_AUTHENTICATE, CHALLENGE));
    }

    @Override
    public Uni<Boolean> sendChallenge(RoutingContext context) {
        if (!context.response().ended()) {
            context.response().setStatusCode(401)
                    .putHeader(HttpHeaderNames.WWW_AUTHENTICATE, CHALLENGE)
                    .putHeader(HttpHeaderNames.CONTENT_TYPE, "application/json")
                    .putHeader(HttpHeaderNames.CACHE_CONTROL, "no-store")
                    .end(Buffer.buffer(ApiError.body(UNAUTHORIZED, UNAUTHORIZED_MESSAGE)));
        }
        return Uni.createFrom().item(true);
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of();
    }

    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
        return Uni.createFrom().nullItem();
    }

    @Override
    public int getPriority() {
        return 3000; // above Quarkus' basic mechanism (2000), so it answers the challenge first
    }
}
