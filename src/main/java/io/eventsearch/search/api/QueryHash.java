package io.eventsearch.search.api;

/** Identifies one normalised query of one API (64-bit FNV-1a): in ETags, and in a v2 cursor's filter check. */
public final class QueryHash {

    private QueryHash() {
    }

    public static long of(String api, String key) {
        long hash = 0xcbf29ce484222325L;
        hash = mix(hash, api);
        hash = (hash ^ '|') * 0x100000001b3L;
        return mix(hash, key);
    }

    private static long mix(long hash, String s) {
        for (int i = 0; i < s.length(); i++) {
            hash = (hash ^ s.charAt(i)) * 0x100000001b3L;
        }
        return hash;
    }
}
