package io.eventsearch.search.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

/**
 * The contract's error envelope: {@code {"data":null,"error":{"code":..,"message":..}}}. Codes are stable
 * snake_case strings clients can switch on; messages are for people.
 */
public final class ApiError {

    public static final String INVALID_DATE_TIME = "invalid_date_time";
    public static final String INVALID_RANGE = "invalid_range";
    public static final String REPEATED_PARAMETER = "repeated_parameter";
    public static final String INVALID_PARAMETER = "invalid_parameter";
    public static final String INVALID_QUERY = "invalid_query";
    public static final String INVALID_CURSOR = "invalid_cursor";
    public static final String WINDOW_TOO_LARGE = "window_too_large";
    public static final String NOT_FOUND = "not_found";
    public static final String METHOD_NOT_ALLOWED = "method_not_allowed";
    public static final String NOT_ACCEPTABLE = "not_acceptable";
    public static final String RATE_LIMITED = "rate_limited";
    public static final String INTERNAL_ERROR = "internal_error";
    public static final String UNAVAILABLE = "unavailable";

    private static final JsonFactory JSON = new JsonFactory();

    private ApiError() {
    }

    public static byte[] body(String code, String message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeNullField("data");
            json.writeObjectFieldStart("error");
            json.writeStringField("code", code);
            json.writeStringField("message", message);
            json.writeEndObject();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
