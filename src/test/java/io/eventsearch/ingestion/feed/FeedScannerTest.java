package io.eventsearch.ingestion.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.eventsearch.catalogue.BasePlan;
import io.eventsearch.catalogue.Plan;
import io.eventsearch.tools.FeedGenerator;
import io.eventsearch.tools.FeedGenerator.Options;

/** The byte scan that fingerprints base plan elements, and the feed it leaves for the parser. */
class FeedScannerTest {

    @TempDir
    Path dir;

    private Path write(String name, String xml) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, xml, StandardCharsets.UTF_8);
        return file;
    }

    private static List<Long> fingerprints(FeedScan scan) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < scan.elements(); i++) {
            out.add(scan.fingerprint(i));
        }
        return out;
    }

    private static final String FEED = """
            <?xml version="1.0" encoding="UTF-8"?>
            <planList version="1.0">
              <output>
                <base_plan base_plan_id="1" title="Uno &amp; dos &gt; tres" sell_mode="online">
                  <plan plan_id="11" plan_start_date="2026-01-01T20:00:00" plan_end_date="2026-01-01T22:00:00">
                    <zone zone_id="a" name="Pista" capacity="10" price="20.00" numbered="false"/>
                  </plan>
                </base_plan>
                <base_plan base_plan_id="2" title="Title with > inside" sell_mode="online">
                  <plan plan_id="21" plan_start_date="2026-02-01T20:00:00" plan_end_date="2026-02-01T22:00:00"/>
                </base_plan>
                <base_plan base_plan_id="3" title="Tres" sell_mode="offline"/>
              </output>
            </planList>
            """;

    @Test
    void everyBasePlanElementIsFingerprintedAndReindentingChangesNoFingerprint() throws Exception {
        FeedScan scan = FeedScanner.scan(write("a.xml", FEED), 1, FeedScanner.Known.NONE);
        assertThat(scan.complete()).isTrue();
        assertThat(scan.elements()).isEqualTo(3);
        assertThat(fingerprints(scan)).doesNotContainNull().doesNotHaveDuplicates();

        String reindented = FEED.replace("\n", "\n\t  \r\n");
        assertThat(fingerprints(FeedScanner.scan(write("b.xml", reindented), 1, FeedScanner.Known.NONE)))
                .isEqualTo(fingerprints(scan));
        // another salt (time zone, ingestion format): other fingerprints
        assertThat(fingerprints(FeedScanner.scan(write("c.xml", FEED), 2, FeedScanner.Known.NONE)))
                .doesNotContainAnyElementsOf(fingerprints(scan));
    }

    @Test
    void aChangeInsideAnElementChangesItsFingerprintOnly() throws Exception {
        List<Long> before = fingerprints(FeedScanner.scan(write("a.xml", FEED), 1, FeedScanner.Known.NONE));
        List<Long> after = fingerprints(FeedScanner.scan(write("b.xml", FEED.replace("20.00", "21.00")), 1,
                FeedScanner.Known.NONE));
        assertThat(after.get(0)).isNotEqualTo(before.get(0));
        assertThat(after.subList(1, 3)).isEqualTo(before.subList(1, 3));
        // whitespace inside a tag is bytes of the tag
        List<Long> spaced = fingerprints(FeedScanner.scan(write("c.xml", FEED.replace("title=\"Tres\"", "title=\"Tres\"  ")),
                1, FeedScanner.Known.NONE));
        assertThat(spaced.get(2)).isNotEqualTo(before.get(2));
    }

    @Test
    void anElementWithAnythingButTagsAndWhitespaceHasNoFingerprint() throws Exception {
        String[] variants = {
            FEED.replace("<plan plan_id=\"21\"", "<!-- note --><plan plan_id=\"21\""),
            FEED.replace("<plan plan_id=\"21\"", "text<plan plan_id=\"21\""),
            FEED.replace("<plan plan_id=\"21\"", "<?pi x?><plan plan_id=\"21\""),
            FEED.replace("<plan plan_id=\"21\"", "<![CDATA[x]]><plan plan_id=\"21\""),
            FEED.replace("<plan plan_id=\"21\"", "<x:note xmlns:x=\"urn:x\"/><plan plan_id=\"21\""),
            FEED.replace("title=\"Title with > inside\"", "title=\"Title\" xml:lang=\"es\""),
        };
        for (String variant : variants) {
            FeedScan scan = FeedScanner.scan(write("v.xml", variant), 1, FeedScanner.Known.NONE);
            assertThat(scan.complete()).as(variant).isTrue();
            assertThat(scan.fingerprint(0)).as(variant).isNotNull();
            assertThat(scan.fingerprint(1)).as(variant).isNull();
            assertThat(scan.fingerprint(2)).as(variant).isNotNull();
        }
    }

    @Test
    void aDocumentTheScannerDoesNotFollowIsLeftWholeToTheParser() throws Exception {
        String[] variants = {
            FEED.replace("encoding=\"UTF-8\"", "encoding=\"ISO-8859-1\""),
            FEED.replace("<planList", "<!DOCTYPE planList [<!ENTITY x \"y\">]>\n<planList"),
            FEED.replace("<output>", "<p:output xmlns:p=\"urn:p\">").replace("</output>", "</p:output>"),
            FEED.replace("<planList version=\"1.0\">", "<other>").replace("</planList>", "</other>"),
            FEED.substring(0, FEED.indexOf("<base_plan base_plan_id=\"3\"")), // truncated
        };
        for (String variant : variants) {
            FeedScan scan = FeedScanner.scan(write("v.xml", variant), 1, fingerprint -> true);
            assertThat(scan.complete()).as(variant).isFalse();
            assertThat(scan.claimedCount()).isZero();
            // no fingerprint from where the scanner gave up on (here: at the third element or before)
            assertThat(scan.fingerprint(2)).isNull();
            assertThat(new String(read(scan.withoutClaimed(dir.resolve("v.xml"))), StandardCharsets.UTF_8))
                    .isEqualTo(variant);
        }
    }

    @Test
    void claimedElementsAreLeftOutOfWhatTheParserReads() throws Exception {
        Path file = write("a.xml", FEED);
        List<Long> all = fingerprints(FeedScanner.scan(file, 1, FeedScanner.Known.NONE));
        Set<Long> known = new HashSet<>(List.of(all.get(0), all.get(2)));
        FeedScan scan = FeedScanner.scan(file, 1, known::contains);
        assertThat(scan.claimedCount()).isEqualTo(2);
        assertThat(scan.claimed(0)).isTrue();
        assertThat(scan.nextRead(0)).isEqualTo(1);
        assertThat(scan.nextRead(2)).isEqualTo(3);

        List<String> parsed = new ArrayList<>();
        FeedParser.Summary summary;
        try (InputStream in = scan.withoutClaimed(file)) {
            summary = new FeedParser().parse(in, new Collect(parsed));
        }
        assertThat(parsed).containsExactly("2");
        assertThat(summary.basePlans()).isEqualTo(1);

        scan.unclaimAll();
        assertThat(read(scan.withoutClaimed(file))).isEqualTo(Files.readAllBytes(file));
    }

    @Test
    void aRunOfClaimedElementsIsOneSkipAndAGeneratedFeedStillParses() throws Exception {
        Path file = dir.resolve("gen.xml");
        FeedGenerator.write(file, Options.of(300, 3, 2).dirty(0.05));
        FeedScan first = FeedScanner.scan(file, 7, FeedScanner.Known.NONE);
        assertThat(first.complete()).isTrue();
        assertThat(first.elements()).isEqualTo(300);
        // claim every element but every 50th: the rest is one well-formed feed of six base plans
        Set<Long> known = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            if (i % 50 != 0 && first.fingerprint(i) != null) {
                known.add(first.fingerprint(i));
            }
        }
        FeedScan scan = FeedScanner.scan(file, 7, known::contains);
        List<String> parsed = new ArrayList<>();
        FeedParser.Summary summary;
        try (InputStream in = scan.withoutClaimed(file)) {
            summary = new FeedParser(true).parse(in, new Collect(parsed));
        }
        assertThat(summary.basePlans() + scan.claimedCount()).isEqualTo(300);
        assertThat(parsed.size()).isLessThanOrEqualTo(summary.basePlans());
        assertThat(parsed).contains("1000", "1050", "1100", "1150", "1200", "1250");
    }

    @Test
    void aTruncatedFeedWithEveryElementClaimedIsStillMalformed() throws Exception {
        String truncated = FEED.substring(0, FEED.indexOf("</output>"));
        Path file = write("t.xml", truncated);
        FeedScan scan = FeedScanner.scan(file, 1, fingerprint -> true);
        assertThat(scan.complete()).isFalse();
        try (InputStream in = scan.withoutClaimed(file)) {
            assertThatThrownBy(() -> new FeedParser().parse(in, new Collect(new ArrayList<>())))
                    .isInstanceOf(MalformedFeedException.class);
        }
    }

    private static byte[] read(InputStream in) throws IOException {
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        }
    }

    private record Collect(List<String> basePlans) implements FeedSink {
        @Override
        public void basePlan(BasePlan basePlan) {
            basePlans.add(basePlan.basePlanId());
        }

        @Override
        public void plan(BasePlan basePlan, Plan plan) {
        }

        @Override
        public void skipped(SkipReason reason, String detail) {
        }
    }
}
