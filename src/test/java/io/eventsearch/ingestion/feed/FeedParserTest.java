package io.eventsearch.ingestion.feed;

import io.eventsearch.catalogue.BasePlan;
import io.eventsearch.catalogue.Plan;
import io.eventsearch.catalogue.Zone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.eventsearch.support.CollectingSink;
import io.eventsearch.support.Feeds;

class FeedParserTest {

    private final FeedParser parser = new FeedParser(twoThreads());

    /** Whether the records are validated on a second thread (see {@link FeedParserTwoThreadsTest}). */
    boolean twoThreads() {
        return false;
    }

    private CollectingSink parse(byte[] feed) throws MalformedFeedException {
        CollectingSink sink = new CollectingSink();
        parser.parse(new ByteArrayInputStream(feed), sink);
        return sink;
    }

    private CollectingSink parse(String feed) throws MalformedFeedException {
        return parse(feed.getBytes(StandardCharsets.UTF_8));
    }

    private static String planList(String output) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><planList version=\"1.0\"><output>" + output + "</output></planList>";
    }

    private static String basePlan(String attrs, String plans) {
        return "<base_plan base_plan_id=\"1\" sell_mode=\"online\" title=\"T\" " + attrs + ">" + plans + "</base_plan>";
    }

    private static String plan(String attrs, String zones) {
        return "<plan plan_id=\"10\" plan_start_date=\"2021-06-30T21:00:00\" plan_end_date=\"2021-06-30T22:00:00\" "
                + attrs + ">" + zones + "</plan>";
    }

    @Test
    void readsThePlanListDialect() throws Exception {
        CollectingSink feed = parse(Feeds.planList(1));
        assertThat(feed.basePlans).extracting(BasePlan::basePlanId).containsExactly("291", "322", "1591");
        // plan_id 1642 is reused under two base plans: both kept, told apart by their base plan
        assertThat(feed.plans).containsExactly("291/291", "322/1642", "322/1643", "1591/1642");
        assertThat(feed.skipped).isEmpty();
        Plan camela = feed.planRecords.get(0);
        assertThat(camela.start()).isEqualTo(LocalDateTime.of(2021, 6, 30, 21, 0));
        assertThat(camela.end()).isEqualTo(LocalDateTime.of(2021, 6, 30, 22, 0));
        assertThat(camela.zones()).extracting(Zone::price)
                .containsExactly(new BigDecimal("20.00"), new BigDecimal("15.00"), new BigDecimal("30.00"));
        assertThat(feed.basePlans.get(1).organizerCompanyId()).isEqualTo("2");
    }

    @Test
    void readsTheEventListDialect() throws Exception {
        CollectingSink events = parse(Feeds.sample("eventList", 1));
        assertThat(events.plans).containsExactly("291/291", "322/1642", "1591/1642");
        CollectingSink plans = parse(Feeds.planList(1));
        // the same event in both dialects gives the same records
        assertThat(events.basePlans.get(0)).isEqualTo(plans.basePlans.get(0));
        assertThat(events.planRecords.get(0)).isEqualTo(plans.planRecords.get(0));
        assertThat(events.planRecords.get(2)).isEqualTo(plans.planRecords.get(3));

        CollectingSink second = parse(Feeds.sample("eventList", 2));
        assertThat(second.plans).containsExactly("291/291", "1591/1642");
        assertThat(second.skipped).containsExactly(Map.entry(SkipReason.INVALID_DATE, 1));
    }

    @Test
    void neverExpandsAnUndeclaredEntity() throws Exception {
        CollectingSink feed = parse("<planList><output><base_plan base_plan_id=\"1\" sell_mode=\"online\" "
                + "title=\"a &undeclared; b\"/></output></planList>");
        assertThat(feed.basePlans).singleElement().satisfies(b -> assertThat(b.title()).isEqualTo("a b"));
    }

    @Test
    void keepsRepeatedZoneIdsInsideOnePlan() throws Exception {
        CollectingSink feed = parse(Feeds.planList(1));
        Plan morancos = feed.planRecords.get(3);
        assertThat(morancos.zones()).hasSize(2);
        assertThat(morancos.zones()).extracting(Zone::zoneId).containsExactly("186", "186");
        assertThat(morancos.zones()).extracting(Zone::capacity).containsExactly(2, 16);
        assertThat(morancos.zones()).extracting(Zone::numbered).containsExactly(true, false);
    }

    @Test
    void skipsTheImpossibleDateAndKeepsTheOfflineBasePlan() throws Exception {
        CollectingSink feed = parse(Feeds.planList(2));
        // 444 is offline: the base plan itself is valid and recorded (search filters it, ingestion keeps it)
        assertThat(feed.basePlans).extracting(BasePlan::sellMode).containsExactly("online", "online", "offline");
        // its only plan starts on 2021-09-31, which does not exist
        assertThat(feed.plans).containsExactly("291/291", "1591/1642");
        assertThat(feed.skipped).containsExactly(Map.entry(SkipReason.INVALID_DATE, 1));
    }

    @Test
    void acceptsAPlanThatEndsWhenItStarts() throws Exception {
        CollectingSink feed = parse(planList(basePlan("", plan("", "").replace("22:00:00", "21:00:00"))));
        assertThat(feed.planRecords).singleElement().satisfies(p -> assertThat(p.end()).isEqualTo(p.start()));
    }

    @Test
    void skipsAPlanThatEndsBeforeItStarts() throws Exception {
        CollectingSink feed = parse(planList(basePlan("", plan("", "").replace("22:00:00", "20:59:59"))));
        assertThat(feed.plans).isEmpty();
        assertThat(feed.skipped).containsExactly(Map.entry(SkipReason.END_BEFORE_START, 1));
    }

    @Test
    void skipsBadRecordsAndKeepsTheRest() throws Exception {
        String zones = "<zone zone_id=\"1\" capacity=\"10\" price=\"-5.00\" name=\"neg\" numbered=\"true\"/>"
                + "<zone zone_id=\"2\" capacity=\"ten\" price=\"5.00\" name=\"cap\" numbered=\"true\"/>"
                + "<zone zone_id=\"3\" capacity=\"10\" price=\"abc\" name=\"price\" numbered=\"true\"/>"
                + "<zone capacity=\"10\" price=\"5.00\" name=\"noid\" numbered=\"true\"/>"
                + "<zone zone_id=\"5\" capacity=\"-1\" price=\"5.00\" name=\"negcap\" numbered=\"true\"/>"
                + "<zone zone_id=\"6\" capacity=\"3\" price=\"7.50\" name=\"  good \n zone \" numbered=\"TRUE\"/>";
        String feed = planList(
                basePlan("", plan("", zones))
                        + "<base_plan sell_mode=\"online\" title=\"no id\">" + plan("", "") + "</base_plan>"
                        + "<base_plan base_plan_id=\"3\" sell_mode=\"online\" title=\"   \">" + plan("", "") + "</base_plan>"
                        + "<base_plan base_plan_id=\"4\" sell_mode=\"sometimes\" title=\"x\">" + plan("", "") + "</base_plan>"
                        + basePlan("", "<plan plan_start_date=\"2021-01-01T00:00:00\" plan_end_date=\"2021-01-01T01:00:00\"/>")
                        + basePlan("", plan("sold_out=\"maybe\"", ""))
                        + basePlan("", "<plan plan_id=\"11\" plan_end_date=\"2021-01-01T01:00:00\"/>"));
        CollectingSink parsed = parse(feed);
        assertThat(parsed.planRecords).singleElement().satisfies(p -> {
            assertThat(p.zones()).singleElement().satisfies(z -> {
                assertThat(z.zoneId()).isEqualTo("6");
                assertThat(z.name()).isEqualTo("good zone");
                assertThat(z.price()).isEqualTo(new BigDecimal("7.50"));
                assertThat(z.numbered()).isTrue();
            });
        });
        assertThat(parsed.skipped).containsOnly(
                Map.entry(SkipReason.NEGATIVE_PRICE, 1),
                Map.entry(SkipReason.INVALID_CAPACITY, 1),
                Map.entry(SkipReason.INVALID_PRICE, 1),
                Map.entry(SkipReason.MISSING_ZONE_ID, 1),
                Map.entry(SkipReason.NEGATIVE_CAPACITY, 1),
                Map.entry(SkipReason.MISSING_BASE_PLAN_ID, 1),
                Map.entry(SkipReason.MISSING_TITLE, 1),
                Map.entry(SkipReason.INVALID_SELL_MODE, 1),
                Map.entry(SkipReason.PARENT_SKIPPED, 3),
                Map.entry(SkipReason.MISSING_PLAN_ID, 1),
                Map.entry(SkipReason.INVALID_BOOLEAN, 1),
                Map.entry(SkipReason.MISSING_DATE, 1));
    }

    @Test
    void normalisesTextAndCaseAndDecodesPredefinedEntities() throws Exception {
        CollectingSink feed = parse(planList("<base_plan base_plan_id=\" 7 \" sell_mode=\" ONLINE \" title=\"  Rock &amp; Roll\t&lt;live&gt;  \">"
                + plan("", "") + "</base_plan>"));
        BasePlan basePlan = feed.basePlans.get(0);
        assertThat(basePlan.basePlanId()).isEqualTo("7");
        assertThat(basePlan.sellMode()).isEqualTo("online");
        assertThat(basePlan.title()).isEqualTo("Rock & Roll <live>");
    }

    @Test
    void aPriceWithMoreThanTwoDecimalsIsNotRoundedSilently() throws Exception {
        CollectingSink feed = parse(planList(basePlan("", plan("",
                "<zone zone_id=\"1\" capacity=\"1\" price=\"10.005\" name=\"a\" numbered=\"false\"/>"
                        + "<zone zone_id=\"2\" capacity=\"1\" price=\"10.50000\" name=\"b\" numbered=\"false\"/>"))));
        assertThat(feed.planRecords.get(0).zones()).extracting(Zone::price).containsExactly(new BigDecimal("10.50"));
        assertThat(feed.skipped).containsExactly(Map.entry(SkipReason.INVALID_PRICE, 1));
    }

    @Test
    void contentHashesFollowContent() throws Exception {
        CollectingSink first = parse(Feeds.planList(1));
        CollectingSink again = parse(Feeds.planList(1));
        CollectingSink second = parse(Feeds.planList(2));
        assertThat(first.planRecords.get(0).contentHash()).isEqualTo(again.planRecords.get(0).contentHash());
        // 291's zone capacities changed between response 1 and 2
        assertThat(first.planRecords.get(0).contentHash()).isNotEqualTo(second.planRecords.get(0).contentHash());
    }

    @Test
    void emptyOutputIsAValidEmptyFeed() throws Exception {
        CollectingSink feed = parse("<planList><output/></planList>");
        assertThat(feed.plans).isEmpty();
        assertThat(feed.basePlans).isEmpty();
    }

    @Test
    void ignoresUnknownElementsAndComments() throws Exception {
        CollectingSink feed = parse(planList("<!-- note --><advert>x</advert>"
                + basePlan("", "<extra><plan plan_id=\"99\"/></extra>" + plan("", "<zone zone_id=\"1\" capacity=\"1\" price=\"1\" name=\"z\"><sub/></zone>"))));
        assertThat(feed.plans).containsExactly("1/10");
        assertThat(feed.planRecords.get(0).zones()).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            // DTD with entity expansion ("billion laughs")
            "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
                    + "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>"
                    + "<planList><output><base_plan base_plan_id=\"1\" sell_mode=\"online\" title=\"&lol3;\"/></output></planList>",
            // external entity (XXE)
            "<?xml version=\"1.0\"?><!DOCTYPE planList [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
                    + "<planList><output><base_plan base_plan_id=\"1\" sell_mode=\"online\" title=\"&xxe;\"/></output></planList>",
            // any DTD at all
            "<?xml version=\"1.0\"?><!DOCTYPE planList SYSTEM \"http://example.com/planList.dtd\"><planList><output/></planList>",
            // truncated in the middle of a record
            "<planList><output><base_plan base_plan_id=\"1\" sell_mode=\"online\" title=\"x\"><plan plan_id=\"1\" plan_start",
            // truncated between records: well-formed so far, but the root never closes
            "<planList><output><base_plan base_plan_id=\"1\" sell_mode=\"online\" title=\"x\"></base_plan>",
            // not XML at all
            "\u0000\u0001garbage{\"json\": true}",
            "<html><body>Service Unavailable</body></html>",
            "",
            // well-formed, but not a feed
            "<planList><error code=\"500\"/></planList>",
            // content after the root
            "<planList><output/></planList><planList><output/></planList>",
    })
    void refusesHostileTruncatedOrForeignDocumentsAsAWhole(String document) {
        assertThatThrownBy(() -> parse(document)).isInstanceOf(MalformedFeedException.class);
    }

    @Test
    void refusesAnOversizedAttributeInsteadOfBufferingIt() {
        String huge = "x".repeat(FeedParser.MAX_ATTRIBUTE_SIZE + 1);
        assertThatThrownBy(() -> parse(planList("<base_plan base_plan_id=\"1\" sell_mode=\"online\" title=\"" + huge + "\"/>")))
                .isInstanceOf(MalformedFeedException.class);
    }

    @Test
    void refusesRunawayNesting() {
        String deep = "<a>".repeat(100) + "</a>".repeat(100);
        assertThatThrownBy(() -> parse(planList(deep))).isInstanceOf(MalformedFeedException.class);
    }

    @Test
    void streamsAFeedMuchLargerThanAnyBufferWithoutHoldingIt() throws Exception {
        // 200k plans, generated on the fly: the parser only ever holds one plan.
        int plans = 200_000;
        InputStream generated = new java.io.SequenceInputStream(java.util.Collections.enumeration(List.of(
                stream("<planList><output><base_plan base_plan_id=\"1\" sell_mode=\"online\" title=\"Big\">"),
                new InputStream() {
                    int plan;
                    byte[] current = new byte[0];
                    int pos;

                    @Override
                    public int read() {
                        if (pos == current.length) {
                            if (plan == plans) {
                                return -1;
                            }
                            current = plan(" plan_id=\"p" + plan++ + "\"", "<zone zone_id=\"1\" capacity=\"1\" price=\"1.00\" name=\"z\"/>")
                                    .replace("plan_id=\"10\" ", "").getBytes(StandardCharsets.UTF_8);
                            pos = 0;
                        }
                        return current[pos++];
                    }
                },
                stream("</base_plan></output></planList>"))));
        int[] count = { 0 };
        FeedParser.Summary summary = parser.parse(generated, new FeedSink() {
            @Override
            public void basePlan(BasePlan basePlan) {
            }

            @Override
            public void plan(BasePlan basePlan, Plan plan) {
                count[0]++;
            }

            @Override
            public void skipped(SkipReason reason, String detail) {
                throw new AssertionError(reason + ": " + detail);
            }
        });
        assertThat(count[0]).isEqualTo(plans);
        assertThat(summary.plans()).isEqualTo(plans);
        assertThat(summary.zones()).isEqualTo(plans);
    }

    private static InputStream stream(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }
}
