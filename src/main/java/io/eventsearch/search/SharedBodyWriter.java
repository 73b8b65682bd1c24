package io.eventsearch.search;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;

import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.Provider;

import org.jboss.resteasy.reactive.server.core.ResteasyReactiveRequestContext;
import org.jboss.resteasy.reactive.server.spi.ResteasyReactiveResourceInfo;
import org.jboss.resteasy.reactive.server.spi.ServerMessageBodyWriter;
import org.jboss.resteasy.reactive.server.spi.ServerRequestContext;

import io.eventsearch.search.cache.SharedBody;
import io.vertx.core.http.HttpServerResponse;

/**
 * Writes a {@link SharedBody} straight to the Vert.x response: no copy into a new buffer (RESTEasy's writers for
 * {@code byte[]} and {@code Buffer} both copy), the socket reads the shared off-heap bytes.
 */
@Provider
@Produces(MediaType.APPLICATION_JSON)
public class SharedBodyWriter implements ServerMessageBodyWriter<SharedBody> {

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, ResteasyReactiveResourceInfo target, MediaType mediaType) {
        return SharedBody.class.isAssignableFrom(type);
    }

    @Override
    public void writeResponse(SharedBody body, Type genericType, ServerRequestContext context) {
        HttpServerResponse response = context instanceof ResteasyReactiveRequestContext rest
                ? rest.serverRequest().unwrap(HttpServerResponse.class) : null;
        if (response == null) {
            context.serverResponse().end(body.buffer().getBytes()); // not on Vert.x: the plain way
            return;
        }
        response.end(body.buffer(), null);
    }

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return SharedBody.class.isAssignableFrom(type);
    }

    @Override
    public void writeTo(SharedBody body, Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType,
            MultivaluedMap<String, Object> httpHeaders, OutputStream entityStream) throws IOException {
        entityStream.write(body.buffer().getBytes());
    }
}
