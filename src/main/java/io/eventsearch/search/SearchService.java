package io.eventsearch.search;

import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;

import io.eventsearch.EventSearchConfig;
import io.eventsearch.common.EpochMicros;
import io.eventsearch.search.api.Cursor;
import io.eventsearch.search.api.PageQuery;
import io.eventsearch.search.api.SearchWindow;
import io.eventsearch.search.cache.DaySlice;
import io.eventsearch.search.cache.DaySliceCache;
import io.eventsearch.search.cache.ResponseBody;
import io.eventsearch.search.cache.SearchCache;
import io.eventsearch.search.cache.SearchCache.Loaded;
import io.eventsearch.search.json.SearchJson;
import io.eventsearch.search.readmodel.ReadModel;
import io.eventsearch.search.readmodel.Snapshot;
import io.eventsearch.search.sql.SearchRepository;
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
    private final DaySliceCache slices;
    private final SearchRepository repository;
    private final CatalogueVersion catalogue;
    private final ReadModel readModel;
    private final String keyPrefix;
    private final String pageKeyPrefix;

    public SearchService(SearchCache cache, DaySliceCache slices, SearchRepository repository,
            CatalogueVersion catalogue, ReadModel readModel, EventSearchConfig config) {
        this.readModel = readModel;
        this.cache = cache;
        this.slices = slices;
        this.repository = repository;
        this.catalogue = catalogue;
        String scope = config.search().scope().name().toLowerCase(Locale.ROOT) + ':';
        this.keyPrefix = "es:search:v1:" + scope;
        this.pageKeyPrefix = "es:search:v2:" + scope;
    }

    /**
     * v1: the whole window. A short window comes from the near cache or is assembled from day slices (cheaper than
     * a Redis round trip); a longer one from the near cache, Redis, or its own query.
     */
    public Uni<Loaded> search(SearchWindow window) {
        Loaded fromModel = searchModel(window);
        if (fromModel != null) {
            return Uni.createFrom().item(fromModel);
        }
        DataVersion version = catalogue.current();
        String epoch = catalogue.epoch();
        String key = keyPrefix + epoch + ':' + version.version() + ':' + window.key();
        if (slices.covers(window.lower(), window.upper())) {
            return cache.getNear(key, () -> fromDays(window, epoch, version));
        }
        return cache.get(key, version, () -> query(window, version));
    }

    private Uni<Loaded> query(SearchWindow window, DataVersion version) {
        return repository.find(window).map(found -> loaded(version, found.version(), SearchJson.render(found.events())));
    }

    private Uni<Loaded> fromDays(SearchWindow window, String epoch, DataVersion version) {
        long lower = EpochMicros.ceil(window.lower());
        long upper = EpochMicros.floor(window.upper());
        return slices.days(epoch, version, DaySlice.day(lower), DaySlice.day(upper), this::readDay)
                .flatMap(days -> days.isPresent()
                        ? Uni.createFrom().item(new Loaded(SearchJson.assemble(days.get(), lower, upper), version, true))
                        : query(window, version)); // a day was read at another version: ask for the window itself
    }

    private Uni<DaySlice> readDay(long day) {
        return repository.findStartingBetween(DaySlice.dayStart(day), DaySlice.dayStart(day + 1)).map(found -> {
            catalogue.advance(found.version());
            return SearchJson.renderDay(found);
        });
    }

    /**
     * v1 from the read model, at once; null while the model does not serve (then {@link #search} answers). The routes
     * take an answer this way without a {@code Uni}: subscribing costs a cached answer a fifth of its CPU.
     */
    public Loaded searchModel(SearchWindow window) {
        Snapshot model = readModel.serving();
        if (model == null) {
            return null;
        }
        String key = keyPrefix + catalogue.epoch() + ':' + model.version().version() + ':' + window.key();
        long lower = EpochMicros.ceil(window.lower());
        long upper = EpochMicros.floor(window.upper());
        return cache.fromMemory(key, () -> composed(model.prepare(lower, upper), model));
    }

    /** v2 from the read model, at once; null while the model does not serve (then {@link #page} answers). */
    public Loaded pageModel(PageQuery query) {
        Snapshot model = readModel.serving();
        if (model == null) {
            return null;
        }
        String key = pageKeyPrefix + catalogue.epoch() + ':' + model.version().version() + ':' + query.key();
        return cache.fromMemory(key, () -> composed(model.page(request(query)), model));
    }

    private static Loaded composed(Snapshot.Answer answer, Snapshot model) {
        return Loaded.composed(new ResponseBody.Composed(answer.size(), answer::writeTo, answer::buffer), model.version());
    }

    /** v2: one page. */
    public Uni<Loaded> page(PageQuery query) {
        Loaded fromModel = pageModel(query);
        if (fromModel != null) {
            return Uni.createFrom().item(fromModel);
        }
        DataVersion version = catalogue.current();
        String key = pageKeyPrefix + catalogue.epoch() + ':' + version.version() + ':' + query.key();
        return cache.get(key, version, () -> repository.page(query)
                .map(page -> loaded(version, page.version(), SearchJson.renderPage(page, query))));
    }

    /** The data version answers show now: the read model's while it serves, else the newest known. */
    public DataVersion servingVersion() {
        Snapshot model = readModel.serving();
        return model != null ? model.version() : catalogue.current();
    }

    private static Snapshot.PageRequest request(PageQuery query) {
        long lower = EpochMicros.ceil(query.window().lower());
        long upper = EpochMicros.floor(query.window().upper());
        Cursor cursor = query.cursor();
        int filterHash = query.filterHash();
        return new Snapshot.PageRequest(lower, upper, cursor == null ? Long.MIN_VALUE : cursor.startMicros(),
                cursor == null ? null : cursor.id(), query.limit(), query.provider(),
                query.minPrice() == null ? Snapshot.NO_PRICE : query.minPrice().movePointRight(2).longValueExact(),
                query.maxPrice() == null ? Snapshot.NO_PRICE : query.maxPrice().movePointRight(2).longValueExact(),
                query.zones(), (micros, id) -> new Cursor(micros, id).encode(filterHash));
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
