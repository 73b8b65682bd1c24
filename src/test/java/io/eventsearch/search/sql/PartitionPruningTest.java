package io.eventsearch.search.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.eventsearch.support.CatalogueLoader;
import io.eventsearch.support.Feeds;
import io.eventsearch.support.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The search queries, as prepared by the service, only touch the yearly partitions of plans their window overlaps:
 * with a generic plan (what a long-lived prepared statement gets) PostgreSQL prunes when the executor starts and
 * EXPLAIN ANALYZE says "Subplans Removed"; with a custom plan it prunes while planning.
 */
@QuarkusTest
class PartitionPruningTest {

    private static final Pattern SCANNED = Pattern.compile("\\bon (plans_(?:y\\d{4}|default))\\b");
    private static final Pattern REMOVED = Pattern.compile("Subplans Removed: (\\d+)");

    @Inject
    TestDatabase db;

    @Inject
    CatalogueLoader loader;

    @Inject
    DataSource dataSource;

    @BeforeEach
    void setUp() {
        db.reset();
        loader.provider("sample").sync(Feeds.planList(1)); // 2021
        loader.provider("other").sync(Feeds.daysOf2030(1, 2, 3)); // 2030
    }

    /** EXPLAIN ANALYZE of {@code EXECUTE} of the statement prepared from {@code sql}, under a plan cache mode. */
    private String explain(String sql, String planCacheMode, String arguments) {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.execute("SET plan_cache_mode = " + planCacheMode);
            st.execute("PREPARE search AS " + sql);
            StringBuilder plan = new StringBuilder();
            try (ResultSet rs = st.executeQuery("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE search("
                    + arguments + ")")) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            } finally {
                st.execute("DEALLOCATE search");
                st.execute("RESET plan_cache_mode");
            }
            return plan.toString();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Set<String> scanned(String plan) {
        Set<String> partitions = new TreeSet<>();
        Matcher m = SCANNED.matcher(plan);
        while (m.find()) {
            partitions.add(m.group(1));
        }
        return partitions;
    }

    private static int removed(String plan) {
        Matcher m = REMOVED.matcher(plan);
        int total = 0;
        while (m.find()) {
            total += Integer.parseInt(m.group(1));
        }
        return total;
    }

    @Test
    void aGenericPlanPrunesAtExecutorStart() {
        String plan = explain(SearchRepository.LATEST, "force_generic_plan", "'2030-01-01T00:00:00Z', '2030-12-31T00:00:00Z'");
        assertThat(scanned(plan)).as(plan).containsExactly("plans_y2030");
        // 21 yearly partitions and the default one exist: all but one were removed
        assertThat(removed(plan)).as(plan).isEqualTo(21);
        assertThat(plan).contains("(actual rows=3");
    }

    @Test
    void aCustomPlanPrunesWhilePlanning() {
        String plan = explain(SearchRepository.LATEST, "force_custom_plan", "'2021-06-01T00:00:00Z', '2022-06-01T00:00:00Z'");
        assertThat(scanned(plan)).as(plan).containsExactly("plans_y2021", "plans_y2022");
        assertThat(removed(plan)).as(plan).isZero();
    }

    @Test
    void aWindowAcrossYearsTouchesEachOfThem() {
        String plan = explain(SearchRepository.LATEST, "force_generic_plan", "'2021-06-01T00:00:00Z', '2030-06-01T00:00:00Z'");
        assertThat(scanned(plan)).as(plan).hasSize(10).contains("plans_y2021", "plans_y2030").doesNotContain("plans_y2020",
                "plans_y2031", "plans_default");
    }

    @Test
    void v2PagesPruneToTheirWindowAndCursor() {
        // a cursor in 2030 inside a window from 2021: partitions before the cursor are skipped as well
        String plan = explain(SearchRepository.PAGE_LATEST_ZONES, "force_generic_plan",
                "'2030-01-01T20:00:00Z', '2030-12-31T00:00:00Z', '2030-01-01T20:00:00Z',"
                        + " '00000000-0000-0000-0000-000000000000', NULL, NULL, NULL, 51");
        assertThat(scanned(plan)).as(plan).containsExactly("plans_y2030");
        assertThat(removed(plan)).as(plan).isEqualTo(21);
        String everSeen = explain(SearchRepository.PAGE_EVER_SEEN, "force_generic_plan",
                "'2021-01-01T00:00:00Z', '2021-12-31T00:00:00Z', '2021-01-01T00:00:00Z',"
                        + " '00000000-0000-0000-0000-000000000000', 'sample', 10, 100, 51");
        assertThat(scanned(everSeen)).as(everSeen).containsExactly("plans_y2021");
    }

    @Test
    void aDaySliceReadsOnePartition() {
        String plan = explain(SearchRepository.DAY_LATEST, "force_generic_plan", "'2030-01-01T00:00:00Z', '2030-01-02T00:00:00Z'");
        assertThat(scanned(plan)).as(plan).containsExactly("plans_y2030");
        assertThat(removed(plan)).as(plan).isEqualTo(21);
        String everSeen = explain(SearchRepository.DAY_EVER_SEEN, "force_custom_plan",
                "'2021-12-31T00:00:00Z', '2022-01-01T00:00:00Z'");
        assertThat(scanned(everSeen)).as("the upper bound is exclusive: " + everSeen).containsExactly("plans_y2021");
    }

    @Test
    void anOpenWindowTouchesThemAll() {
        String plan = explain(SearchRepository.LATEST, "force_generic_plan", "'0001-01-01T00:00:00Z', '9999-12-31T23:59:59Z'");
        assertThat(scanned(plan)).as(plan).hasSize(22).contains("plans_default");
        assertThat(removed(plan)).isZero();
    }
}
