package io.eventsearch.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The sample provider responses (copied from shared/reference/feeds) and feed files for file: providers. */
public final class Feeds {

    private Feeds() {
    }

    public static byte[] sample(String dialect, int n) {
        String resource = "/feeds/" + dialect + "/response_" + n + ".xml";
        try (InputStream in = Feeds.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] planList(int n) {
        return sample("planList", n);
    }

    public static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** A feed file whose content tests replace between syncs, as a provider changes its answer. */
    public static final class FeedFile {
        private final Path path;

        public FeedFile() {
            try {
                path = Files.createTempFile("provider-feed-", ".xml");
                path.toFile().deleteOnExit();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public FeedFile write(byte[] content) {
            try {
                Path next = Files.createTempFile(path.getParent(), "next-", ".xml");
                Files.write(next, content);
                Files.move(next, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                return this;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public FeedFile write(String content) {
            return write(content.getBytes(StandardCharsets.UTF_8));
        }

        public java.net.URI uri() {
            return path.toUri();
        }
    }

    /** A planList feed: one online base plan with plans on the given days of 2030 (1 is January 1st; plan id = day). */
    public static String daysOf2030(int... days) {
        StringBuilder feed = new StringBuilder("<planList><output><base_plan base_plan_id=\"b\" sell_mode=\"online\" title=\"Daily\">");
        for (int day : days) {
            String date = java.time.LocalDate.of(2030, 1, 1).plusDays(day - 1).toString();
            feed.append("<plan plan_id=\"").append(day).append("\" plan_start_date=\"").append(date)
                    .append("T20:00:00\" plan_end_date=\"").append(date).append("T22:00:00\">")
                    .append("<zone zone_id=\"1\" capacity=\"10\" price=\"").append(day).append(".00\" name=\"Pista\" numbered=\"false\"/>")
                    .append("</plan>");
        }
        return feed.append("</base_plan></output></planList>").toString();
    }
}
