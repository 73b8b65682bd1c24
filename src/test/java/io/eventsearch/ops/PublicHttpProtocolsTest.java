package io.eventsearch.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.eventsearch.support.CatalogueLoader;
import io.eventsearch.support.TestDatabase;
import io.eventsearch.tools.FeedGenerator;
import io.eventsearch.tools.FeedGenerator.Options;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The public port answers HTTP/1.1 to a client that asks to upgrade to clear-text HTTP/2, as the JDK's HTTP client
 * does by default: every answer whole, however large (through the upgrade, answers from about 32 KiB on now and then
 * never reached that client).
 */
@QuarkusTest
class PublicHttpProtocolsTest {

    @TestHTTPResource("/search")
    URL search;

    @Inject
    TestDatabase db;

    @Inject
    CatalogueLoader loader;

    @Test
    void anUpgradeToClearTextHttp2IsAnsweredInHttp11() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", search.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /search HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                    + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] statusLine = new byte[13];
            int read = 0;
            while (read < statusLine.length) {
                int n = in.read(statusLine, read, statusLine.length - read);
                assertThat(n).as("a status line").isPositive();
                read += n;
            }
            // not "HTTP/1.1 101 Switching Protocols"
            assertThat(new String(statusLine, StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 200 ");
        }
    }

    @Test
    void largeAnswersReachTheJdkClientWholeOnFreshConnections() throws Exception {
        db.reset();
        ByteArrayOutputStream feed = new ByteArrayOutputStream();
        FeedGenerator.write(feed, Options.of(40, 10, 3));
        loader.provider("large").sync(feed.toByteArray());
        URI everything = URI.create(search.toString() + "?starts_at=2000-01-01T00:00:00Z&ends_at=2100-01-01T00:00:00Z");
        HttpClient http11 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        byte[] expected = http11.send(HttpRequest.newBuilder(everything).build(), HttpResponse.BodyHandlers.ofByteArray()).body();
        assertThat(expected.length).as("an answer larger than what the clients read after an upgrade").isGreaterThan(64 * 1024);

        for (int i = 0; i < 30; i++) {
            // the JDK client's default: HTTP/2, asked for by upgrade on a new clear-text connection
            HttpClient fresh = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            HttpResponse<byte[]> response = fresh.sendAsync(HttpRequest.newBuilder(everything).build(),
                    HttpResponse.BodyHandlers.ofByteArray()).get(5, TimeUnit.SECONDS);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
            assertThat(response.body()).isEqualTo(expected);
        }
    }
}
