package io.eventsearch.ingestion.feed;

import io.eventsearch.catalogue.BasePlan;
import io.eventsearch.catalogue.Zone;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;

import org.codehaus.stax2.XMLInputFactory2;
import org.codehaus.stax2.XMLStreamReader2;

import com.ctc.wstx.api.WstxInputProperties;
import com.ctc.wstx.exc.WstxLazyException;
import com.ctc.wstx.stax.WstxInputFactory;

/**
 * Streams a provider feed with Woodstox's StAX cursor: constant memory whatever the feed size (one plan's zones
 * at a time), never a DOM. Blocking: call it on a worker thread, never on the event loop.
 *
 * <p>Hardened: DTDs are refused outright (so no external entities and no entity expansion), and attribute sizes,
 * text sizes, depth and attribute counts are capped. Anything that is not a well-formed feed of a known dialect
 * raises {@link MalformedFeedException}; a bad record inside a good feed is skipped and reported to the sink.
 */
public final class FeedParser {

    /** Bounds that no honest feed comes near. */
    static final int MAX_ATTRIBUTE_SIZE = 64 * 1024;
    static final int MAX_TEXT_LENGTH = 1024 * 1024;
    static final int MAX_DEPTH = 32;
    static final int MAX_ATTRIBUTES = 64;
    static final int MAX_ZONES_PER_PLAN = 100_000;

    private final XMLInputFactory2 factory;
    private final boolean twoThreads;

    /** A parser that validates on the parsing thread. */
    public FeedParser() {
        this(false);
    }

    /**
     * With {@code twoThreads}, the XML is read on the calling thread and the records are validated, hashed and handed
     * to the sink on a second one, in feed order, in chunks: a feed is read about twice as fast on two free cores.
     * The sink is then called from that thread only (never concurrently), and {@link #parse} returns once it is done.
     */
    public FeedParser(boolean twoThreads) {
        this.twoThreads = twoThreads;
        WstxInputFactory f = new WstxInputFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        f.setProperty(XMLInputFactory.IS_COALESCING, false);
        f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        f.setProperty(WstxInputProperties.P_MAX_ATTRIBUTE_SIZE, MAX_ATTRIBUTE_SIZE);
        f.setProperty(WstxInputProperties.P_MAX_ATTRIBUTES_PER_ELEMENT, MAX_ATTRIBUTES);
        f.setProperty(WstxInputProperties.P_MAX_TEXT_LENGTH, MAX_TEXT_LENGTH);
        f.setProperty(WstxInputProperties.P_MAX_ELEMENT_DEPTH, MAX_DEPTH);
        f.setProperty(WstxInputProperties.P_MAX_ENTITY_COUNT, 10_000);
        f.setProperty(WstxInputProperties.P_MAX_ENTITY_DEPTH, 1);
        f.setProperty(WstxInputProperties.P_MAX_DTD_DEPTH, 1);
        this.factory = f;
    }

    /** What a parse saw, valid or not. */
    public record Summary(FeedDialect dialect, int basePlans, int plans, int zones) {
    }

    public Summary parse(InputStream in, FeedSink sink) throws MalformedFeedException {
        XMLStreamReader2 reader = null;
        Records records = twoThreads ? new HandedOver(new Validation(sink)) : new Validation(sink);
        try {
            reader = (XMLStreamReader2) factory.createXMLStreamReader(in);
            Summary summary = new Run(reader, records).document();
            records.finish();
            return summary;
        } catch (XMLStreamException e) {
            throw new MalformedFeedException("feed is not well-formed XML: " + oneLine(e.getMessage()), e);
        } catch (WstxLazyException e) {
            // Woodstox reports errors found while lazily reading text as an unchecked wrapper.
            throw new MalformedFeedException("feed is not well-formed XML: " + oneLine(String.valueOf(e.getMessage())), e);
        } finally {
            records.abort();
            if (reader != null) {
                try {
                    reader.closeCompletely();
                } catch (XMLStreamException ignored) {
                    // the stream is being abandoned anyway
                }
            }
        }
    }

    private static String oneLine(String message) {
        if (message == null) {
            return "";
        }
        String line = message.replace('\n', ' ').replace('\r', ' ');
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }

    /** A base plan's raw attributes, then its plans' (each with its zones' raw attributes). */
    private record RawBase(String id, String title, String sellMode, String organizer) {
    }

    private record RawPlan(String id, String start, String end, String sellFrom, String sellTo, String soldOut,
            List<String[]> zones) {
    }

    /** Follows a base plan's last plan: the plan and zone elements it held. */
    private record BaseEnd(int plans, int zones) {
    }

    /** Where the records read go: validated at once, or handed to a second thread. */
    private interface Records {
        void add(Object record) throws MalformedFeedException;

        /** All read: waits until every record is through. */
        void finish() throws MalformedFeedException;

        /** Stops whatever is still running (after a failure; nothing once finished). */
        void abort();
    }

    /** Validates records and hands the valid ones to the sink, in feed order, reporting the others as skipped. */
    private static final class Validation implements Records {
        private final FeedSink sink;
        private final RecordValidator validator = new RecordValidator();
        private final List<Zone> zones = new ArrayList<>();
        private BasePlan basePlan;
        private String rawBaseId;

        Validation(FeedSink sink) {
            this.sink = sink;
        }

        @Override
        public void add(Object record) throws MalformedFeedException {
            if (record instanceof RawBase b) {
                basePlan = null;
                rawBaseId = b.id();
                try {
                    basePlan = validator.basePlan(b.id(), b.title(), b.sellMode(), b.organizer());
                    sink.basePlan(basePlan);
                } catch (Invalid invalid) {
                    sink.skipped(invalid.reason, invalid.getMessage());
                }
            } else if (record instanceof BaseEnd end) {
                sink.basePlanEnd(end.plans(), end.zones());
            } else {
                plan((RawPlan) record);
            }
        }

        private void plan(RawPlan p) throws MalformedFeedException {
            zones.clear();
            for (String[] z : p.zones()) {
                try {
                    Zone zone = validator.zone(z[0], z[1], z[2], z[3], z[4]);
                    if (zones.size() >= MAX_ZONES_PER_PLAN) {
                        throw new MalformedFeedException("a plan has more than " + MAX_ZONES_PER_PLAN + " zones");
                    }
                    zones.add(zone);
                } catch (Invalid invalid) {
                    sink.skipped(invalid.reason, invalid.getMessage());
                }
            }
            if (basePlan == null) {
                sink.skipped(SkipReason.PARENT_SKIPPED, "plan " + p.id() + " of skipped base plan " + rawBaseId);
                return;
            }
            try {
                sink.plan(basePlan, validator.plan(p.id(), p.start(), p.end(), p.sellFrom(), p.sellTo(), p.soldOut(), zones));
            } catch (Invalid invalid) {
                sink.skipped(invalid.reason, "base plan " + basePlan.basePlanId() + ": " + invalid.getMessage());
            }
        }

        @Override
        public void finish() {
        }

        @Override
        public void abort() {
        }
    }

    /**
     * Hands records in chunks to a {@link Validation} on its own thread. A failure there (a malformed feed, the
     * sink's exception) stops the reading at the next chunk and comes out of {@link #finish} or {@link #add} as
     * itself.
     */
    private static final class HandedOver implements Records {
        /** A chunk is handed over at this many plans or zones, whichever comes first. */
        private static final int CHUNK = 256;
        private static final int CHUNK_ZONES = 2048;
        private static final List<Object> END = List.of();

        private final Validation validation;
        private final java.util.concurrent.BlockingQueue<List<Object>> queue =
                new java.util.concurrent.ArrayBlockingQueue<>(1);
        private final Thread thread;
        private List<Object> chunk = new ArrayList<>(CHUNK + 1);
        private int chunkZones;
        private volatile Throwable failure;
        private volatile boolean stop;

        HandedOver(Validation validation) {
            this.validation = validation;
            java.util.Map<String, Object> mdc = org.jboss.logging.MDC.getMap();
            this.thread = new Thread(() -> run(mdc), Thread.currentThread().getName() + "-validate");
            thread.setDaemon(true);
            thread.start();
        }

        private void run(java.util.Map<String, Object> mdc) {
            mdc.forEach(org.jboss.logging.MDC::put);
            try {
                while (!stop) {
                    List<Object> records = queue.take();
                    if (records == END) {
                        return;
                    }
                    for (Object record : records) {
                        validation.add(record);
                    }
                }
            } catch (Throwable t) {
                failure = t;
                queue.clear();
            } finally {
                org.jboss.logging.MDC.clear();
            }
        }

        @Override
        public void add(Object record) throws MalformedFeedException {
            chunk.add(record);
            if (record instanceof RawPlan p) {
                chunkZones += p.zones().size();
                if (chunk.size() >= CHUNK || chunkZones >= CHUNK_ZONES) {
                    send(chunk);
                    chunk = new ArrayList<>(CHUNK + 1);
                    chunkZones = 0;
                }
            }
        }

        private void send(List<Object> records) throws MalformedFeedException {
            try {
                while (!queue.offer(records, 50, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    rethrow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while parsing", e);
            }
            rethrow();
        }

        @Override
        public void finish() throws MalformedFeedException {
            send(chunk);
            send(END);
            join();
            rethrow();
        }

        @Override
        public void abort() {
            if (!thread.isAlive()) {
                return;
            }
            stop = true;
            queue.clear();
            queue.offer(END);
            join();
        }

        private void join() {
            boolean interrupted = false;
            while (true) {
                try {
                    thread.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        private void rethrow() throws MalformedFeedException {
            Throwable t = failure;
            if (t == null) {
                return;
            }
            if (t instanceof MalformedFeedException m) {
                throw m;
            }
            if (t instanceof RuntimeException r) {
                throw r;
            }
            if (t instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException(t);
        }
    }

    /** The state of one parse: reads the XML and hands each record on, raw. */
    private static final class Run {
        private final XMLStreamReader2 reader;
        private final Records records;
        private FeedDialect dialect;
        private int basePlans;
        private int plans;
        private int zoneCount;

        Run(XMLStreamReader2 reader, Records records) {
            this.reader = reader;
            this.records = records;
        }

        Summary document() throws XMLStreamException, MalformedFeedException {
            boolean sawOutput = false;
            int event = nextStartOrDtd();
            if (event != XMLStreamConstants.START_ELEMENT) {
                throw new MalformedFeedException("feed has no root element");
            }
            dialect = FeedDialect.forRoot(reader.getLocalName());
            if (dialect == null) {
                throw new MalformedFeedException("unknown feed format: root element <" + reader.getLocalName() + ">");
            }
            // Children of the root: <output> holds the catalogue; anything else is ignored.
            while (nextTag() == XMLStreamConstants.START_ELEMENT) {
                if ("output".equals(reader.getLocalName())) {
                    sawOutput = true;
                    output();
                } else {
                    reader.skipElement();
                }
            }
            // Reaching the end of the root is what proves the feed complete: read to the end of the document.
            while (reader.hasNext()) {
                if (reader.next() == XMLStreamConstants.START_ELEMENT) {
                    throw new MalformedFeedException("content after the root element");
                }
            }
            if (!sawOutput) {
                throw new MalformedFeedException("feed has no <output> element");
            }
            return new Summary(dialect, basePlans, plans, zoneCount);
        }

        private void output() throws XMLStreamException, MalformedFeedException {
            while (nextTag() == XMLStreamConstants.START_ELEMENT) {
                if (dialect.baseElement.equals(reader.getLocalName())) {
                    basePlan();
                } else {
                    reader.skipElement();
                }
            }
        }

        private void basePlan() throws XMLStreamException, MalformedFeedException {
            basePlans++;
            int plansBefore = plans;
            int zonesBefore = zoneCount;
            records.add(new RawBase(attr(dialect.baseIdAttribute), attr("title"), attr("sell_mode"),
                    attr("organizer_company_id")));
            while (nextTag() == XMLStreamConstants.START_ELEMENT) {
                if (dialect.planElement.equals(reader.getLocalName())) {
                    plan();
                } else {
                    reader.skipElement();
                }
            }
            records.add(new BaseEnd(plans - plansBefore, zoneCount - zonesBefore));
        }

        private void plan() throws XMLStreamException, MalformedFeedException {
            plans++;
            String id = attr(dialect.planIdAttribute);
            String start = attr(dialect.startAttribute);
            String end = attr(dialect.endAttribute);
            String sellFrom = attr("sell_from");
            String sellTo = attr("sell_to");
            String soldOut = attr("sold_out");
            List<String[]> zones = new ArrayList<>();
            while (nextTag() == XMLStreamConstants.START_ELEMENT) {
                if ("zone".equals(reader.getLocalName())) {
                    zoneCount++;
                    if (zones.size() >= MAX_ZONES_PER_PLAN) {
                        // memory stays bounded however many zone elements a plan has, valid or not
                        throw new MalformedFeedException("a plan has more than " + MAX_ZONES_PER_PLAN + " zones");
                    }
                    zones.add(new String[] { attr("zone_id"), attr("name"), attr("capacity"), attr("price"),
                            attr("numbered") });
                    reader.skipElement();
                } else {
                    reader.skipElement();
                }
            }
            records.add(new RawPlan(id, start, end, sellFrom, sellTo, soldOut, zones));
        }

        private String attr(String name) {
            return reader.getAttributeValue(null, name);
        }

        /** Next start or end tag, skipping text, comments and processing instructions. */
        private int nextTag() throws XMLStreamException, MalformedFeedException {
            while (true) {
                int event = reader.next();
                switch (event) {
                    case XMLStreamConstants.START_ELEMENT:
                    case XMLStreamConstants.END_ELEMENT:
                        return event;
                    case XMLStreamConstants.DTD:
                    case XMLStreamConstants.ENTITY_REFERENCE:
                        throw new MalformedFeedException("DTDs and entity references are not accepted in feeds");
                    case XMLStreamConstants.END_DOCUMENT:
                        throw new MalformedFeedException("feed ends before its root element is closed");
                    default:
                        // characters, whitespace, comments, processing instructions
                }
            }
        }

        private int nextStartOrDtd() throws XMLStreamException, MalformedFeedException {
            while (reader.hasNext()) {
                int event = reader.next();
                if (event == XMLStreamConstants.DTD || event == XMLStreamConstants.ENTITY_REFERENCE) {
                    throw new MalformedFeedException("DTDs and entity references are not accepted in feeds");
                }
                if (event == XMLStreamConstants.START_ELEMENT) {
                    return event;
                }
            }
            return XMLStreamConstants.END_DOCUMENT;
        }
    }
}
