package io.eventsearch.search.http;

import java.util.UUID;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.eventsearch.search.api.ApiError;
import io.eventsearch.search.api.InvalidQueryException;

/**
 * Every error leaves in the contract's envelope: 400 for bad input, the framework's own status for routing
 * errors (404, 405, 406), and a 500 whose body carries an error id to find the logged cause, never a stack trace.
 */
public class ApiExceptionMappers {

    private static final Logger LOG = Logger.getLogger(ApiExceptionMappers.class);

    @ServerExceptionMapper
    public Response invalidQuery(InvalidQueryException e) {
        return json(400, ApiError.body(e.code(), e.getMessage()));
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (status >= 500) {
            return internal(e);
        }
        String code = switch (status) {
            case 404 -> ApiError.NOT_FOUND;
            case 405 -> ApiError.METHOD_NOT_ALLOWED;
            case 406 -> ApiError.NOT_ACCEPTABLE;
            default -> ApiError.INVALID_QUERY;
        };
        String message = switch (status) {
            case 404 -> "No such resource";
            case 405 -> "Method not allowed";
            case 406 -> "This resource answers application/json only";
            default -> "The request was not correctly formed (is the query string URL-encoded?)";
        };
        return json(status, ApiError.body(code, message));
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        return internal(e);
    }

    private static Response internal(Throwable e) {
        String errorId = UUID.randomUUID().toString();
        LOG.errorf(e, "unexpected failure, error id %s", errorId);
        return json(500, ApiError.body(ApiError.INTERNAL_ERROR,
                "The request could not be served; error id " + errorId));
    }

    private static Response json(int status, byte[] body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }
}
