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
}
