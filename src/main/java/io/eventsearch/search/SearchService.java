package io.eventsearch.search;

import jakarta.enterprise.context.ApplicationScoped;

import io.eventsearch.EventSearchConfig;
import io.eventsearch.search.cache.SearchCache;
import io.eventsearch.storage.CatalogueVersion;
import io.eventsearch.storage.DataVersion;
import io.smallrye.mutiny.Uni;

/** Answers a search from the caches, or from PostgreSQL on a miss, as ready JSON bytes. */
@ApplicationScoped
public class SearchService {

    private final SearchCache cache;
    private final SearchRepository repository;
    private final CatalogueVersion catalogue;
    private final String keyPrefix;

    public SearchService(SearchCache cache, SearchRepository repository, CatalogueVersion catalogue,
            EventSearchConfig config) {
        this.cache = cache;
        this.repository = repository;
        this.catalogue = catalogue;
        this.keyPrefix = "es:search:v1:" + config.search().scope().name().toLowerCase(java.util.Locale.ROOT) + ':';
    }

    /** The answer and the data version it belongs to. */
    public record Answer(byte[] body, DataVersion version) {
    }

    public Uni<Answer> search(SearchWindow window) {
        DataVersion version = catalogue.current();
        String key = keyPrefix + catalogue.epoch() + ':' + version.version() + ':' + window.key();
        return cache.get(key, () -> repository.find(window).map(found -> {
            catalogue.advance(found.version());
            // A snapshot older than the key's version (a lagging replica) is served but not kept.
            boolean cacheable = found.version().version() >= version.version();
            return new SearchCache.Loaded(SearchJson.render(found.events()), cacheable);
        })).map(body -> new Answer(body, version));
    }
}
