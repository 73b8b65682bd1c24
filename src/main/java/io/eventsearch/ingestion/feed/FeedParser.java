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

    public FeedParser() {
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
        try {
            reader = (XMLStreamReader2) factory.createXMLStreamReader(in);
            return new Run(reader, sink).document();
        } catch (XMLStreamException e) {
            throw new MalformedFeedException("feed is not well-formed XML: " + oneLine(e.getMessage()), e);
        } catch (WstxLazyException e) {
            // Woodstox reports errors found while lazily reading text as an unchecked wrapper.
            throw new MalformedFeedException("feed is not well-formed XML: " + oneLine(String.valueOf(e.getMessage())), e);
        } finally {
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

    /** The state of one parse. */
    private static final class Run {
        private final XMLStreamReader2 reader;
        private final FeedSink sink;
        private final RecordValidator validator = new RecordValidator();
        private final List<Zone> zones = new ArrayList<>();
        private FeedDialect dialect;
        private int basePlans;
        private int plans;
        private int zoneCount;

        Run(XMLStreamReader2 reader, FeedSink sink) {
            this.reader = reader;
            this.sink = sink;
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
            BasePlan basePlan = null;
            String rawId = attr(dialect.baseIdAttribute);
            try {
                basePlan = validator.basePlan(rawId, attr("title"), attr("sell_mode"), attr("organizer_company_id"));
                sink.basePlan(basePlan);
            } catch (Invalid invalid) {
                sink.skipped(invalid.reason, invalid.getMessage());
            }
            while (nextTag() == XMLStreamConstants.START_ELEMENT) {
                if (dialect.planElement.equals(reader.getLocalName())) {
                    plan(basePlan, rawId);
                } else {
                    reader.skipElement();
                }
            }
        }

        private void plan(BasePlan basePlan, String rawBaseId) throws XMLStreamException, MalformedFeedException {
            plans++;
            String id = attr(dialect.planIdAttribute);
            String start = attr(dialect.startAttribute);
            String end = attr(dialect.endAttribute);
            String sellFrom = attr("sell_from");
            String sellTo = attr("sell_to");
            String soldOut = attr("sold_out");
            zones.clear();
            while (nextTag() == XMLStreamConstants.START_ELEMENT) {
                if ("zone".equals(reader.getLocalName())) {
                    zone();
                } else {
                    reader.skipElement();
                }
            }
            if (basePlan == null) {
                sink.skipped(SkipReason.PARENT_SKIPPED, "plan " + id + " of skipped base plan " + rawBaseId);
                return;
            }
            try {
                sink.plan(basePlan, validator.plan(id, start, end, sellFrom, sellTo, soldOut, zones));
            } catch (Invalid invalid) {
                sink.skipped(invalid.reason, "base plan " + basePlan.basePlanId() + ": " + invalid.getMessage());
            }
        }

        private void zone() throws XMLStreamException, MalformedFeedException {
            zoneCount++;
            try {
                Zone zone = validator.zone(attr("zone_id"), attr("name"), attr("capacity"), attr("price"),
                        attr("numbered"));
                if (zones.size() >= MAX_ZONES_PER_PLAN) {
                    throw new MalformedFeedException("a plan has more than " + MAX_ZONES_PER_PLAN + " zones");
                }
                zones.add(zone);
            } catch (Invalid invalid) {
                sink.skipped(invalid.reason, invalid.getMessage());
            }
            reader.skipElement();
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
