package io.eventsearch.search;

import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;

import io.eventsearch.EventSearchConfig;
import io.eventsearch.search.cache.SearchCache;
import io.eventsearch.search.cache.SearchCache.Loaded;
import io.eventsearch.storage.CatalogueVersion;
import io.eventsearch.storage.DataVersion;
import io.smallrye.mutiny.Uni;

/**
 * Answers a search from the caches, or from PostgreSQL on a miss, as ready JSON bytes with the data version they
 * show. Keys carry the database epoch, the current data version and the normalised query.
 */
@ApplicationScoped
public class SearchService {

    private final SearchCache cache;
    private final SearchRepository repository;
    private final CatalogueVersion catalogue;
    private final String keyPrefix;
    private final String pageKeyPrefix;

    public SearchService(SearchCache cache, SearchRepository repository, CatalogueVersion catalogue,
            EventSearchConfig config) {
        this.cache = cache;
        this.repository = repository;
        this.catalogue = catalogue;
        String scope = config.search().scope().name().toLowerCase(Locale.ROOT) + ':';
        this.keyPrefix = "es:search:v1:" + scope;
        this.pageKeyPrefix = "es:search:v2:" + scope;
    }

    /** v1: the whole window. */
    public Uni<Loaded> search(SearchWindow window) {
        DataVersion version = catalogue.current();
        String key = keyPrefix + catalogue.epoch() + ':' + version.version() + ':' + window.key();
        return cache.get(key, version, () -> repository.find(window)
                .map(found -> loaded(version, found.version(), SearchJson.render(found.events()))));
    }

    /** v2: one page. */
    public Uni<Loaded> page(PageQuery query) {
        DataVersion version = catalogue.current();
        String key = pageKeyPrefix + catalogue.epoch() + ':' + version.version() + ':' + query.key();
        return cache.get(key, version, () -> repository.page(query)
                .map(page -> loaded(version, page.version(), SearchJson.renderPage(page, query))));
    }

    /**
     * Only an answer read from exactly the key's version is kept: an older snapshot (a lagging replica) or a newer
     * one (a sync this instance has not heard of yet) is served, with its own version, but not cached.
     */
    private Loaded loaded(DataVersion keyVersion, DataVersion read, byte[] body) {
        catalogue.advance(read);
        return new Loaded(body, read, read.version() == keyVersion.version());
    }
}
