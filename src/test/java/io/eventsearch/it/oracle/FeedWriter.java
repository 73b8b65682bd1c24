package io.eventsearch.it.oracle;

import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Renders a provider's truth as a planList feed. The same content can be spelled many ways (indentation, attribute
 * order, padded titles), and a feed can carry dirt the service must skip without losing the rest: plans with
 * impossible dates or ending before they start, zones with negative prices, base plans with an unknown sell mode,
 * and the same plan twice (the last occurrence counts).
 */
final class FeedWriter {

    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");

    /** How to spell the feed. */
    record Style(boolean otherBytes, boolean dirty, boolean duplicates) {
        static final Style PLAIN = new Style(false, false, false);
    }

    static byte[] write(ProviderTruth truth, Style style, SplittableRandom random) {
        String nl = style.otherBytes ? "\r\n" : "\n";
        String in = style.otherBytes ? "\t" : "   ";
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>").append(nl)
                .append("<planList version=\"1.0\">").append(nl).append(in).append("<output>").append(nl);
        int dirt = 0;
        for (ProviderTruth.Base base : truth.bases.values()) {
            List<ProviderTruth.Plan> listed = base.plans.values().stream().filter(p -> p.listed).toList();
            if (listed.isEmpty()) {
                continue;
            }
            String title = style.otherBytes ? "  " + base.title.replace(" ", "   ") + " " : base.title;
            List<String> attrs = new ArrayList<>(List.of(attr("base_plan_id", base.id),
                    attr("sell_mode", base.online ? "online" : "offline"), attr("title", title)));
            if (style.otherBytes) {
                java.util.Collections.reverse(attrs);
            }
            xml.append(in).append(in).append("<base_plan ").append(String.join(" ", attrs)).append('>').append(nl);
            for (ProviderTruth.Plan plan : listed) {
                if (style.duplicates && random.nextInt(4) == 0) {
                    // a first occurrence that the later one replaces
                    ProviderTruth.Plan decoy = new ProviderTruth.Plan(plan.id);
                    ProviderTruth.retime(random, decoy);
                    decoy.zones = ProviderTruth.zones(random);
                    plan(xml, decoy, style, in, nl, false);
                }
                plan(xml, plan, style, in, nl, style.dirty && random.nextInt(4) == 0);
                if (style.dirty && random.nextInt(5) == 0) {
                    dirtyPlan(xml, "x" + (dirt++), random, in, nl);
                }
            }
            xml.append(in).append(in).append("</base_plan>").append(nl);
        }
        if (style.dirty) {
            // a base plan the service cannot read: it and its plans are skipped
            xml.append(in).append(in).append("<base_plan base_plan_id=\"dirty-base\" sell_mode=\"sometimes\" title=\"Nope\">")
                    .append("<plan plan_id=\"1\" plan_start_date=\"2026-05-01T20:00:00\" plan_end_date=\"2026-05-01T21:00:00\"/>")
                    .append("</base_plan>").append(nl);
        }
        xml.append(in).append("</output>").append(nl).append("</planList>").append(nl);
        return xml.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void plan(StringBuilder xml, ProviderTruth.Plan plan, Style style, String in, String nl, boolean dirtyZone) {
        List<String> attrs = new ArrayList<>(List.of(attr("plan_start_date", plan.start.format(ISO)),
                attr("plan_end_date", plan.end.format(ISO)), attr("plan_id", plan.id),
                attr("sell_from", "2020-07-01T00:00:00"), attr("sell_to", plan.start.format(ISO)),
                attr("sold_out", plan.soldOut ? "true" : "false")));
        if (style.otherBytes) {
            java.util.Collections.reverse(attrs);
        }
        xml.append(in).append(in).append(in).append("<plan ").append(String.join(" ", attrs)).append('>').append(nl);
        for (ProviderTruth.Zone zone : plan.zones) {
            zone(xml, zone.id(), zone.name(), Integer.toString(zone.capacity()), zone.price().toPlainString(), zone.numbered(),
                    in, nl);
        }
        if (dirtyZone) {
            zone(xml, "99", "Broken", "10", "-5.00", true, in, nl);
        }
        xml.append(in).append(in).append(in).append("</plan>").append(nl);
    }

    private static void zone(StringBuilder xml, String id, String name, String capacity, String price, boolean numbered,
            String in, String nl) {
        xml.append(in).append(in).append(in).append(in).append("<zone ").append(attr("zone_id", id)).append(' ')
                .append(attr("capacity", capacity)).append(' ').append(attr("price", price)).append(' ')
                .append(attr("name", name)).append(' ').append(attr("numbered", numbered ? "true" : "false"))
                .append("/>").append(nl);
    }

    private static void dirtyPlan(StringBuilder xml, String id, SplittableRandom random, String in, String nl) {
        String dates = random.nextBoolean()
                ? attr("plan_start_date", "2026-09-31T20:00:00") + " " + attr("plan_end_date", "2026-09-31T21:00:00")
                : attr("plan_start_date", "2026-10-02T20:00:00") + " " + attr("plan_end_date", "2026-10-01T21:00:00");
        xml.append(in).append(in).append(in).append("<plan ").append(attr("plan_id", id)).append(' ').append(dates)
                .append(" sold_out=\"false\"><zone zone_id=\"1\" capacity=\"1\" price=\"1.00\" name=\"x\" numbered=\"true\"/></plan>")
                .append(nl);
    }

    private static String attr(String name, String value) {
        StringBuilder out = new StringBuilder(name).append("=\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                default -> out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
