package io.eventsearch.ingestion.feed;

import io.eventsearch.common.Digests;
import io.eventsearch.common.IsoDateTimes;
import io.eventsearch.catalogue.BasePlan;
import io.eventsearch.catalogue.Plan;
import io.eventsearch.catalogue.Zone;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * Turns raw attribute values into normalised records, or says why not. Normalisation: trimmed text with
 * whitespace runs collapsed, lower-case enums, strict ISO local date-times (no 31st of September),
 * prices to two decimals without rounding, booleans from true/false/1/0.
 * One instance per parse: it keeps a digest for content hashes.
 */
final class RecordValidator {

    static final int MAX_ID_LENGTH = 128;
    static final int MAX_TEXT_LENGTH = 1024;
    private static final BigDecimal MAX_PRICE = new BigDecimal("9999999999.99");

    private final MessageDigest digest;

    RecordValidator() {
        digest = Digests.sha256();
    }

    BasePlan basePlan(String id, String title, String sellMode, String organizer) throws Invalid {
        String basePlanId = id(id, SkipReason.MISSING_BASE_PLAN_ID, "base plan id");
        String cleanTitle = text(title);
        if (cleanTitle == null || cleanTitle.isEmpty()) {
            throw new Invalid(SkipReason.MISSING_TITLE, "base plan " + basePlanId + " has no title");
        }
        String mode = sellMode == null ? "" : sellMode.trim().toLowerCase(Locale.ROOT);
        if (!mode.equals("online") && !mode.equals("offline")) {
            throw new Invalid(SkipReason.INVALID_SELL_MODE, "base plan " + basePlanId + " sell_mode '" + sellMode + "'");
        }
        String org = text(organizer);
        if (org != null && org.isEmpty()) {
            org = null;
        }
        if (org != null && org.length() > MAX_ID_LENGTH) {
            throw new Invalid(SkipReason.FIELD_TOO_LONG, "base plan " + basePlanId + " organizer_company_id");
        }
        digest.reset();
        hashedLength = 0;
        put(cleanTitle);
        put(mode);
        put(org);
        return new BasePlan(basePlanId, cleanTitle, mode, org, finish());
    }

    Plan plan(String id, String start, String end, String sellFrom, String sellTo, String soldOut,
            List<Zone> zones) throws Invalid {
        String planId = id(id, SkipReason.MISSING_PLAN_ID, "plan id");
        LocalDateTime startAt = requiredDate(start, planId, "start");
        LocalDateTime endAt = requiredDate(end, planId, "end");
        if (endAt.isBefore(startAt)) {
            throw new Invalid(SkipReason.END_BEFORE_START, "plan " + planId + " ends " + endAt + " before it starts " + startAt);
        }
        LocalDateTime from = optionalDate(sellFrom, planId, "sell_from");
        LocalDateTime to = optionalDate(sellTo, planId, "sell_to");
        boolean isSoldOut = bool(soldOut, false, "plan " + planId + " sold_out");
        digest.reset();
        hashedLength = 0;
        put(startAt.toString());
        put(endAt.toString());
        put(from == null ? null : from.toString());
        put(to == null ? null : to.toString());
        put(isSoldOut ? "1" : "0");
        for (Zone zone : zones) {
            put(zone.zoneId());
            put(zone.name());
            put(Integer.toString(zone.capacity()));
            put(zone.price().toPlainString());
            put(zone.numbered() ? "1" : "0");
        }
        return new Plan(planId, startAt, endAt, from, to, isSoldOut, List.copyOf(zones), finish());
    }

    Zone zone(String id, String name, String capacity, String price, String numbered) throws Invalid {
        String zoneId = id(id, SkipReason.MISSING_ZONE_ID, "zone id");
        String cleanName = text(name);
        if (cleanName == null) {
            cleanName = "";
        }
        if (cleanName.length() > MAX_TEXT_LENGTH) {
            throw new Invalid(SkipReason.FIELD_TOO_LONG, "zone " + zoneId + " name");
        }
        int seats;
        try {
            seats = Integer.parseInt(capacity == null ? "" : capacity.trim());
        } catch (NumberFormatException e) {
            throw new Invalid(SkipReason.INVALID_CAPACITY, "zone " + zoneId + " capacity '" + capacity + "'");
        }
        if (seats < 0) {
            throw new Invalid(SkipReason.NEGATIVE_CAPACITY, "zone " + zoneId + " capacity " + seats);
        }
        BigDecimal amount;
        try {
            amount = new BigDecimal(price == null ? "" : price.trim()).setScale(2, RoundingMode.UNNECESSARY);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new Invalid(SkipReason.INVALID_PRICE, "zone " + zoneId + " price '" + price + "'");
        }
        if (amount.signum() < 0) {
            throw new Invalid(SkipReason.NEGATIVE_PRICE, "zone " + zoneId + " price " + amount);
        }
        if (amount.compareTo(MAX_PRICE) > 0) {
            throw new Invalid(SkipReason.INVALID_PRICE, "zone " + zoneId + " price " + amount + " out of range");
        }
        return new Zone(zoneId, cleanName, seats, amount, bool(numbered, false, "zone " + zoneId + " numbered"));
    }

    private static String id(String raw, SkipReason missing, String what) throws Invalid {
        String id = raw == null ? "" : raw.trim();
        if (id.isEmpty()) {
            throw new Invalid(missing, what + " missing");
        }
        if (id.length() > MAX_ID_LENGTH) {
            throw new Invalid(SkipReason.FIELD_TOO_LONG, what + " longer than " + MAX_ID_LENGTH);
        }
        return id;
    }

    private static LocalDateTime requiredDate(String raw, String planId, String what) throws Invalid {
        LocalDateTime value = optionalDate(raw, planId, what);
        if (value == null) {
            throw new Invalid(SkipReason.MISSING_DATE, "plan " + planId + " has no " + what + " date");
        }
        return value;
    }

    private static LocalDateTime optionalDate(String raw, String planId, String what) throws Invalid {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        String value = raw.trim();
        try {
            LocalDateTime fast = IsoDateTimes.secondsForm(value);
            // ISO_LOCAL_DATE_TIME resolves strictly: 2021-09-31 is rejected, not rolled over.
            return fast != null ? fast : LocalDateTime.parse(value, DateTimeFormatter.ISO_LOCAL_DATE_TIME);
        } catch (DateTimeException e) {
            throw new Invalid(SkipReason.INVALID_DATE, "plan " + planId + " " + what + " '" + raw + "'");
        }
    }

    private static boolean bool(String raw, boolean missing, String what) throws Invalid {
        if (raw == null) {
            return missing;
        }
        switch (raw.trim().toLowerCase(Locale.ROOT)) {
            case "true":
            case "1":
                return true;
            case "false":
            case "0":
                return false;
            case "":
                return missing;
            default:
                throw new Invalid(SkipReason.INVALID_BOOLEAN, what + " '" + raw + "'");
        }
    }

    /** Trims and collapses whitespace runs (including line breaks) to one space; drops control characters. */
    static String text(String raw) {
        if (raw == null) {
            return null;
        }
        if (isClean(raw)) {
            return raw;
        }
        StringBuilder out = new StringBuilder(raw.length());
        boolean pendingSpace = false;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                pendingSpace = out.length() > 0;
            } else if (!Character.isISOControl(c)) {
                if (pendingSpace) {
                    out.append(' ');
                    pendingSpace = false;
                }
                out.append(c);
            }
        }
        return out.toString();
    }

    /** The common case: nothing to normalise, no copy. */
    private static boolean isClean(String raw) {
        int len = raw.length();
        if (len == 0) {
            return true;
        }
        char prev = ' ';
        for (int i = 0; i < len; i++) {
            char c = raw.charAt(i);
            if (c == ' ') {
                if (prev == ' ') {
                    return false;
                }
            } else if (c < 0x20 || Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c)) {
                return false;
            }
            prev = c;
        }
        return raw.charAt(len - 1) != ' ';
    }

    /**
     * The bytes a content hash covers, gathered here and hashed in one call (the digest's per-call overhead is most of
     * its cost for short values): the same bytes, so the same hashes, as one update per value.
     */
    private byte[] hashed = new byte[1024];
    private int hashedLength;

    private void put(String value) {
        if (value == null) {
            putByte((byte) 0);
            return;
        }
        putByte((byte) 1);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c >= 0x80) {
                // not ASCII: as String.getBytes encodes it
                byte[] bytes = value.substring(i).getBytes(StandardCharsets.UTF_8);
                ensureHashed(bytes.length);
                System.arraycopy(bytes, 0, hashed, hashedLength, bytes.length);
                hashedLength += bytes.length;
                break;
            }
            putByte((byte) c);
        }
        putByte((byte) 0x1f);
    }

    private void putByte(byte b) {
        ensureHashed(1);
        hashed[hashedLength++] = b;
    }

    private void ensureHashed(int more) {
        if (hashedLength + more > hashed.length) {
            hashed = java.util.Arrays.copyOf(hashed, Math.max(hashed.length * 2, hashedLength + more));
        }
    }

    private long finish() {
        digest.update(hashed, 0, hashedLength);
        hashedLength = 0;
        byte[] h = digest.digest();
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (h[i] & 0xff);
        }
        return v;
    }
}
