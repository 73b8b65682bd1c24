package io.eventsearch.ingestion.feed;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.BitSet;

/**
 * One pass over a feed's bytes, far cheaper than parsing it, that finds every base plan element
 * ({@code root > output > base_plan}, or the older dialect's) and fingerprints it: a 64-bit hash of its tags' bytes
 * in order, whitespace between tags left out, so a re-indented feed fingerprints the same. An element whose
 * fingerprint the caller {@link Known#claim claims} (the same bytes as an element of the provider's last applied
 * feed) is left out of the parse altogether: {@link FeedScan#withoutClaimed} reads the feed without it.
 *
 * <p>Leaving an element out is safe because its bytes are those of an element that was parsed, validated and
 * applied before, in the same kind of place (a child of {@code output}): it is well-formed and means the same.
 * Everything else (the root, the {@code output} elements, every element not claimed) still goes through the parser,
 * which checks it as strictly as ever. An element is fingerprinted only when nothing in it can mean something
 * else in another document: no namespace prefix, no comment, processing instruction or CDATA section, nothing but
 * whitespace between its tags. A document the scanner does not follow to the end (another encoding, a DTD, a
 * prefixed root or {@code output}, a truncated or broken tag) is {@linkplain FeedScan#complete incomplete}: then no
 * element is claimed and the feed is parsed whole, as if there were no scanner (the elements the scanner passed
 * before it gave up keep their fingerprints: it followed them, and the parse checks the rest).
 */
public final class FeedScanner {

    /** Part of every fingerprint: change it when what a fingerprint covers changes. */
    private static final long FORMAT = 0x66656564_73636e31L; // "feedscn1"

    private static final int BUFFER = 1 << 20;
    /** A tag longer than this (far beyond what the parser's limits accept) ends the scan as incomplete. */
    private static final int MAX_TOKEN = 16 << 20;

    /** What each byte is to the scanner: most are {@link #PLAIN}. */
    private static final byte PLAIN = 0;
    private static final byte SPACE = 1;
    private static final byte LT = 2;
    private static final byte GT = 3;
    private static final byte QUOTE = 4;
    private static final byte COLON = 5;
    private static final byte[] KIND = new byte[256];

    static {
        KIND[' '] = KIND['\t'] = KIND['\n'] = KIND['\r'] = SPACE;
        KIND['<'] = LT;
        KIND['>'] = GT;
        KIND['"'] = KIND['\''] = QUOTE;
        KIND[':'] = COLON;
    }

    private static final int NEED_MORE = -1;
    private static final int GIVE_UP = -2;

    /** Decides, per fingerprinted element, whether it is known unchanged (and so left out of the parse). */
    @FunctionalInterface
    public interface Known {
        boolean claim(long fingerprint);

        Known NONE = fingerprint -> false;
    }

    private final FileChannel channel;
    private final long salt;
    private byte[] buf = new byte[BUFFER];
    private int pos;
    private int limit;
    /** File offset of buf[0]. */
    private long base;
    private boolean eof;

    // document state
    private int depth;
    private boolean rootSeen;
    private byte[] baseElement;
    /** Depth-1 element open is an {@code output}. */
    private boolean inOutput;

    // the base plan element being scanned
    private boolean inElement;
    /** The start tag just read has a ':' outside its attribute values. */
    private boolean tagPrefixed;
    private long elementStart;
    private long hash;
    private boolean clean;

    // results: per element, its fingerprint (when it has one) and byte range
    private final Fingerprints found = new Fingerprints();
    private long[] starts = new long[1024];
    private long[] ends = new long[1024];
    /** Nothing but whitespace between the element and the one before: one skip can cover both. */
    private final BitSet adjacent = new BitSet();
    private int elements;
    /** Nothing but whitespace since the end of the last element. */
    private boolean onlySpaceSinceElement;

    private FeedScanner(FileChannel channel, long salt) {
        this.channel = channel;
        this.salt = ElementHash.mix(salt ^ FORMAT);
    }

    /**
     * Scans the feed in {@code file} on a thread of its own and returns at once. {@code salt} goes into every
     * fingerprint (whatever else decides what the bytes mean: the provider's time zone, the ingestion format). A
     * feed read whole anyway is parsed meanwhile (the parse waits for each element's fingerprint as it gets there,
     * by then long found); otherwise {@link FeedScan#claim} waits for the end of the scan.
     */
    public static FeedScan start(Path file, long salt) throws IOException {
        FeedScanner scanner = new FeedScanner(FileChannel.open(file, StandardOpenOption.READ), salt);
        Thread thread = new Thread(() -> {
            try {
                scanner.run();
            } catch (IOException | RuntimeException e) {
                scanner.found.finish(false);
            }
        }, Thread.currentThread().getName() + "-scan");
        thread.setDaemon(true);
        thread.start();
        return new FeedScan(scanner.found, scanner);
    }

    /** Scans the feed and claims what {@code known} knows, in document order (see {@link FeedScan#claim}). */
    public static FeedScan scan(Path file, long salt, Known known) throws IOException {
        FeedScan scan = start(file, salt);
        scan.claim(known);
        return scan;
    }

    /** The whole scan; false when it did not follow the document to its end. */
    private boolean run() throws IOException {
        boolean followed;
        try (channel) {
            followed = document();
        }
        found.finish(followed);
        return followed;
    }

    /** Where element {@code e} starts and ends in the file (once the scan is over). */
    long start(int e) {
        return starts[e];
    }

    long end(int e) {
        return ends[e];
    }

    /** Whether only whitespace separates element {@code e} from the one before. */
    boolean adjacent(int e) {
        return adjacent.get(e);
    }

    private boolean document() throws IOException {
        if (!fill(0)) {
            return false;
        }
        // A UTF-8 byte order mark is fine; anything else that is not ASCII before the first tag means another encoding.
        if (limit >= 3 && (buf[0] & 0xff) == 0xef && (buf[1] & 0xff) == 0xbb && (buf[2] & 0xff) == 0xbf) {
            pos = 3;
        }
        boolean first = true;
        while (true) {
            // text up to the next tag
            int i = pos;
            while (true) {
                byte[] b = buf;
                int end = limit;
                boolean text = false;
                byte kind;
                while (i < end && (kind = KIND[b[i] & 0xff]) != LT) {
                    text |= kind != SPACE;
                    i++;
                }
                if (text) {
                    // characters between tags: an element with them is not fingerprinted, and no skip spans them
                    if (inElement) {
                        clean = false;
                    } else {
                        onlySpaceSinceElement = false;
                    }
                }
                if (i < end) {
                    break;
                }
                pos = i;
                if (!fill(pos)) {
                    // the end: complete when the root was closed (anything else, Woodstox reports)
                    return rootSeen && depth == 0;
                }
                i = pos;
            }
            pos = i;
            int end;
            while ((end = token(pos)) == NEED_MORE) {
                if (!fill(pos)) {
                    return false;
                }
            }
            if (end == GIVE_UP) {
                return false;
            }
            if (!handle(pos, end, first)) {
                return false;
            }
            first = false;
            pos = end;
        }
    }

    /** Reads more, keeping the bytes from {@code keep} on. False at the end of the file with nothing new. */
    private boolean fill(int keep) throws IOException {
        if (eof) {
            return false;
        }
        if (keep > 0) {
            System.arraycopy(buf, keep, buf, 0, limit - keep);
            base += keep;
            limit -= keep;
            pos -= keep;
        } else if (limit == buf.length) {
            if (buf.length >= MAX_TOKEN) {
                return false;
            }
            buf = Arrays.copyOf(buf, buf.length * 2);
        }
        int read = channel.read(ByteBuffer.wrap(buf, limit, buf.length - limit));
        if (read < 0) {
            eof = true;
            return false;
        }
        limit += read;
        return true;
    }

    /**
     * The end (exclusive) of the markup starting at {@code p} ({@code buf[p] == '<'}), {@link #NEED_MORE} when it
     * does not end in the buffer, {@link #GIVE_UP} for anything the scanner does not follow (a DTD, a {@code <} in an
     * attribute value).
     */
    private int token(int p) {
        byte[] b = buf;
        int end = limit;
        if (p + 1 >= end) {
            return NEED_MORE;
        }
        byte next = b[p + 1];
        if (next == '?') {
            return find(p + 2, '?', '>');
        }
        if (next == '!') {
            if (p + 9 > end) {
                return NEED_MORE;
            }
            if (b[p + 2] == '-' && b[p + 3] == '-') {
                return comment(p + 4);
            }
            if (startsWith(p + 2, "[CDATA[")) {
                return cdata(p + 9);
            }
            return GIVE_UP; // <!DOCTYPE and the like: the parser refuses them
        }
        if (next == '/') {
            for (int i = p + 2; i < end; i++) {
                if (b[i] == '>') {
                    return i + 1;
                }
                if (b[i] == '<') {
                    return GIVE_UP;
                }
            }
            return NEED_MORE;
        }
        // a start tag: its end is the first '>' outside quotes; a ':' outside quotes is a namespace prefix. (A '<' in
        // an attribute value is the parser's to refuse: such an element was never applied, so it is never claimed.)
        boolean colon = false;
        for (int i = p + 1; i < end; i++) {
            byte kind = KIND[b[i] & 0xff];
            if (kind <= SPACE) {
                continue;
            }
            if (kind == QUOTE) {
                byte quote = b[i];
                int close = i + 1;
                while (close < end && b[close] != quote) {
                    close++;
                }
                if (close == end) {
                    return NEED_MORE;
                }
                i = close;
            } else if (kind == GT) {
                tagPrefixed = colon;
                return i + 1;
            } else if (kind == COLON) {
                colon = true;
            } else {
                return GIVE_UP; // '<' inside a tag
            }
        }
        return NEED_MORE;
    }

    private int find(int from, char a, char b2) {
        for (int i = from; i + 1 < limit; i++) {
            if (buf[i] == a && buf[i + 1] == b2) {
                return i + 2;
            }
        }
        return NEED_MORE;
    }

    private int comment(int from) {
        for (int i = from; i + 2 < limit; i++) {
            if (buf[i] == '-' && buf[i + 1] == '-' && buf[i + 2] == '>') {
                return i + 3;
            }
        }
        return NEED_MORE;
    }

    private int cdata(int from) {
        for (int i = from; i + 2 < limit; i++) {
            if (buf[i] == ']' && buf[i + 1] == ']' && buf[i + 2] == '>') {
                return i + 3;
            }
        }
        return NEED_MORE;
    }

    private boolean startsWith(int p, String s) {
        for (int k = 0; k < s.length(); k++) {
            if (buf[p + k] != s.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /** Applies one piece of markup {@code [p, end)}; false when the scanner gives up on the document. */
    private boolean handle(int p, int end, boolean first) {
        byte next = buf[p + 1];
        if (next == '?' || next == '!') {
            if (first && next == '?' && !utf8Declaration(p, end)) {
                return false;
            }
            if (inElement) {
                clean = false; // comments, processing instructions, CDATA: not fingerprinted
            } else if (depth <= 2) {
                onlySpaceSinceElement = false;
            }
            return true;
        }
        if (next == '/') {
            if (inElement) {
                hash = ElementHash.hash(buf, p, end, hash);
            }
            depth--;
            if (depth < 0) {
                return false;
            }
            if (inElement && depth == 2) {
                endElement(base + end);
            } else if (depth == 1) {
                inOutput = false;
                onlySpaceSinceElement = false;
            } else if (depth == 0) {
                onlySpaceSinceElement = false;
            }
            return true;
        }
        boolean selfClosing = buf[end - 2] == '/';
        int nameEnd = p + 1;
        while (nameEnd < end && !whitespace(buf[nameEnd]) && buf[nameEnd] != '/' && buf[nameEnd] != '>') {
            nameEnd++;
        }
        if (inElement) {
            hash = ElementHash.hash(buf, p, end, hash);
            if (tagPrefixed) {
                clean = false;
            }
        } else if (depth <= 2) {
            // a prefixed root, output or base plan may be one to the parser (which reads local names): give up
            for (int i = p + 1; i < nameEnd; i++) {
                if (buf[i] == ':') {
                    return false;
                }
            }
            if (depth == 0) {
                if (rootSeen) {
                    return false; // a second root: the parser reports it
                }
                rootSeen = true;
                if (nameIs(p + 1, nameEnd, FeedDialect.PLAN_LIST.root)) {
                    baseElement = ascii(FeedDialect.PLAN_LIST.baseElement);
                } else if (nameIs(p + 1, nameEnd, FeedDialect.EVENT_LIST.root)) {
                    baseElement = ascii(FeedDialect.EVENT_LIST.baseElement);
                } else {
                    return false;
                }
            } else if (depth == 1) {
                onlySpaceSinceElement = false;
                inOutput = nameIs(p + 1, nameEnd, "output") && !selfClosing;
            } else if (inOutput && nameIs(p + 1, nameEnd, baseElement)) {
                startElement(p, end);
            } else {
                onlySpaceSinceElement = false;
            }
        }
        if (!selfClosing) {
            depth++;
        } else if (inElement && depth == 2) {
            endElement(base + end);
        }
        return true;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    private void startElement(int p, int end) {
        inElement = true;
        adjacent.set(elements, onlySpaceSinceElement);
        onlySpaceSinceElement = false;
        elementStart = base + p;
        clean = !tagPrefixed;
        hash = ElementHash.hash(buf, p, end, salt);
    }

    private void endElement(long elementEnd) {
        inElement = false;
        onlySpaceSinceElement = true;
        int element = elements++;
        if (element == starts.length) {
            starts = Arrays.copyOf(starts, element * 2);
            ends = Arrays.copyOf(ends, element * 2);
        }
        starts[element] = elementStart;
        ends[element] = elementEnd;
        found.add(clean ? ElementHash.mix(hash) : null);
    }

    private boolean nameIs(int from, int to, String name) {
        return to - from == name.length() && startsWith(from, name);
    }

    private boolean nameIs(int from, int to, byte[] name) {
        if (to - from != name.length) {
            return false;
        }
        for (int k = 0; k < name.length; k++) {
            if (buf[from + k] != name[k]) {
                return false;
            }
        }
        return true;
    }

    /** The XML declaration: no encoding named, or UTF-8 (any other encoding gives the same bytes other meanings). */
    private boolean utf8Declaration(int p, int end) {
        String decl = new String(buf, p, end - p, java.nio.charset.StandardCharsets.ISO_8859_1);
        if (!decl.startsWith("<?xml")) {
            return true;
        }
        int at = decl.indexOf("encoding");
        if (at < 0) {
            return true;
        }
        int open = at + "encoding".length();
        while (open < decl.length() && (decl.charAt(open) == '=' || decl.charAt(open) == ' ')) {
            open++;
        }
        if (open >= decl.length()) {
            return false;
        }
        char quote = decl.charAt(open);
        int close = decl.indexOf(quote, open + 1);
        if (close < 0) {
            return false;
        }
        String encoding = decl.substring(open + 1, close);
        return encoding.equalsIgnoreCase("UTF-8") || encoding.equalsIgnoreCase("UTF8");
    }

    private static boolean whitespace(byte c) {
        return c == ' ' || c == '\n' || c == '\t' || c == '\r';
    }
}
