package io.eventsearch.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.eventsearch.support.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The catalogue's keys between tables, checked per statement (V9): every row that breaks one is refused, as a
 * foreign key would, whether it comes one by one or with valid rows in the same statement, and referenced rows
 * never go away.
 */
@QuarkusTest
class KeyChecksTest {

    private static final String PLAN = "'6f1c7d0e-3b7a-4c55-9a0f-000000000001'";
    private static final String OTHER = "'6f1c7d0e-3b7a-4c55-9a0f-000000000002'";

    @Inject
    TestDatabase db;

    @BeforeEach
    void oneProviderOneBasePlanOnePlan() {
        db.reset();
        db.update("INSERT INTO providers (id, name) OVERRIDING SYSTEM VALUE VALUES (900, 'keys')");
        db.update("""
                INSERT INTO base_plans (provider_id, base_plan_id, title, sell_mode, ever_online, content_hash,
                                        first_seen_at, last_seen_at, updated_at)
                VALUES (900, 'b', 'B', 'online', true, 0, now(), 'infinity', now())""");
        db.update("INSERT INTO plan_identities (id, provider_id, base_plan_id, plan_id) VALUES (" + PLAN + ", 900, 'b', 'p')");
        db.update(plan(PLAN, "b", "p"));
        db.update(zone(PLAN, 0));
    }

    private static String plan(String id, String basePlan, String planId) {
        return """
                INSERT INTO plans (id, provider_id, base_plan_id, plan_id, starts_at, ends_at, start_local, end_local,
                                   sold_out, zone_count, min_price, max_price, content_hash, first_seen_at, last_seen_at,
                                   updated_at)
                VALUES (%s, 900, '%s', '%s', '2026-01-01', '2026-01-01', '2026-01-01', '2026-01-01', false, 1, 1, 1, 0,
                        now(), 'infinity', now())""".formatted(id, basePlan, planId);
    }

    private static String zone(String planId, int position) {
        return "INSERT INTO zones (plan_id, position, zone_id, name, capacity, price, numbered) VALUES (" + planId + ", "
                + position + ", 'z', 'Z', 1, 1, false)";
    }

    private void refused(String sql, String sqlState) {
        assertThatThrownBy(() -> db.update(sql)).as(sql).hasRootCauseInstanceOf(SQLException.class)
                .rootCause().satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo(sqlState));
    }

    @Test
    void rowsThatBreakAKeyAreRefusedEvenAmongValidOnes() {
        // a zone of no plan identity, alone and with a valid one in the same statement
        refused(zone(OTHER, 0), "23503");
        refused("INSERT INTO zones (plan_id, position, zone_id, name, capacity, price, numbered) VALUES (" + PLAN
                + ", 1, 'z', 'Z', 1, 1, false), (" + OTHER + ", 0, 'z', 'Z', 1, 1, false)", "23503");
        refused("UPDATE zones SET plan_id = " + OTHER, "23503");
        // a plan of no identity, or of another one than its columns say
        refused(plan(OTHER, "b", "q"), "23503");
        refused("UPDATE plans SET plan_id = 'q'", "23503");
        refused("UPDATE plans SET base_plan_id = 'c'", "23503");
        // an identity of no base plan
        refused("INSERT INTO plan_identities (id, provider_id, base_plan_id, plan_id) VALUES (" + OTHER + ", 900, 'c', 'q')",
                "23503");
        // nothing of it was written
        assertThat(db.count("SELECT count(*) FROM zones")).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM plans WHERE plan_id = 'p' AND base_plan_id = 'b'")).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM plan_identities")).isEqualTo(1);
        // rows that keep the keys are written as usual, in any order within a statement's reach
        db.update("INSERT INTO plan_identities (id, provider_id, base_plan_id, plan_id) VALUES (" + OTHER + ", 900, 'b', 'q')");
        db.update(plan(OTHER, "b", "q"));
        db.update("INSERT INTO zones (plan_id, position, zone_id, name, capacity, price, numbered) VALUES (" + OTHER
                + ", 0, 'z', 'Z', 1, 1, false), (" + PLAN + ", 1, 'z', 'Z', 1, 1, false)");
        db.update("UPDATE plans SET last_seen_at = now()");
        assertThat(db.count("SELECT count(*) FROM zones")).isEqualTo(3);
    }

    @Test
    void referencedRowsAreNeverDeletedNorReKeyed() {
        refused("DELETE FROM plan_identities WHERE id = " + PLAN, "23001");
        refused("DELETE FROM base_plans WHERE base_plan_id = 'nothing'", "23001");
        refused("UPDATE plan_identities SET plan_id = 'q'", "23001");
        refused("UPDATE base_plans SET base_plan_id = 'c'", "23001");
        // other columns change as they always did
        db.update("UPDATE base_plans SET title = 'B2', base_plan_id = base_plan_id");
        assertThat(db.value("SELECT title FROM base_plans")).isEqualTo("B2");
    }
}
