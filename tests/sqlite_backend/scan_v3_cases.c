/* Scans of reward rules, grants and the ledger (contract version 3) in the
 * SQLite backend: every statement a scan may pick, with its filters at their
 * bounds and its paging, and the query plans of the hot statements. */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>

#include "backends/sqlite/sqlite_internal.h" /* the statements, for their query plans */

static int on_rule(const rf_reward_rule_record *r, void *payload)
{
    return seen(payload, r->id);
}

static int on_grant(const rf_grant_record *g, void *payload)
{
    return seen(payload, g->id);
}

/* Ledger entries are seen as "<seq>". */
static int on_entry(const rf_ledger_record *e, void *payload)
{
    char seq[16];
    snprintf(seq, sizeof seq, "%lld", (long long)e->seq);
    return seen(payload, seq);
}

static const char *rules(rf_backend *b, const char *program, const char *after, unsigned int limit)
{
    static char buf[256];
    ids_seen s = {0};
    assert_int_equal(b->reward_rule_scan(b, PRACTICE, program, after, limit, on_rule, &s), RF_OK);
    return joined(&s, buf, sizeof buf);
}

static const char *grants(rf_backend *b, const rf_grant_query *q)
{
    static char buf[256];
    ids_seen s = {0};
    assert_int_equal(b->grant_scan(b, PRACTICE, q, on_grant, &s), RF_OK);
    return joined(&s, buf, sizeof buf);
}

static const char *entries(rf_backend *b, const rf_ledger_query *q)
{
    static char buf[256];
    ids_seen s = {0};
    assert_int_equal(b->ledger_scan(b, PRACTICE, q, on_entry, &s), RF_OK);
    return joined(&s, buf, sizeof buf);
}

static void rule_scans_by_programme_and_page(void **state)
{
    fixture *f = *state;
    make_path(f, "rscan3");
    remove_db(f->path);
    const char *rows[][2] = {{"w4", "p1"}, {"w2", "p2"}, {"w1", "p1"}, {"w3", NULL}, {"w5", "p1"}};
    rf_backend *b = open_ok(f->path);
    assert_int_equal(b->begin(b), RF_OK);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        rf_reward_rule_record r = reward_rule(rows[i][0], rows[i][1]);
        assert_int_equal(b->reward_rule_insert(b, PRACTICE, &r), RF_OK);
    }
    rf_reward_rule_record other = reward_rule("w0", "p1");
    assert_int_equal(b->reward_rule_insert(b, "clinic-b", &other), RF_OK);
    assert_int_equal(b->commit(b), RF_OK);

    assert_string_equal(rules(b, NULL, NULL, 0), "w1,w2,w3,w4,w5");
    assert_string_equal(rules(b, "p1", NULL, 0), "w1,w4,w5");
    assert_string_equal(rules(b, "p1", "w1", 1), "w4");
    assert_string_equal(rules(b, "p1", "w5", 0), "");
    assert_string_equal(rules(b, NULL, "w2", 2), "w3,w4");
    assert_string_equal(rules(b, "p9", NULL, 0), "");
    ids_seen s = {.stop_at = 2};
    assert_int_equal(b->reward_rule_scan(b, PRACTICE, NULL, NULL, 0, on_rule, &s), RF_OK);
    assert_int_equal(s.n, 2);
    b->free(b);
}

/* Grants whose filters meet every bound: equal times, unset (0) times,
 * negative times and the extremes. Inserted out of id order. */
static void insert_grants(rf_backend *b)
{
    static const struct {
        const char *id, *recipient, *referral, *rule;
        int status;
        rf_time issued, release, expires;
    } rows[] = {
        {"g5", "c", "r2", "w2", 1, 50, INT64_MAX, -10}, {"g1", "a", "r1", "w1", 1, 100, 200, 0},
        {"g3", "b", "r1", "w2", 1, 200, 0, 0},          {"g2", "a", "r2", "w1", 2, 150, 150, 1000},
        {"g6", "a", "r1", "w2", 1, -5, -1, 0},          {"g4", "b", "r3", "w1", 2, 300, 300, 400},
    };
    assert_int_equal(b->begin(b), RF_OK);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        rf_grant_record g = grant(rows[i].id, rows[i].id, rows[i].recipient);
        g.referral_id = rows[i].referral;
        g.rule_id = rows[i].rule;
        g.status = rows[i].status;
        g.issued_at = rows[i].issued;
        g.release_at = rows[i].release;
        g.expires_at = rows[i].expires;
        assert_int_equal(b->grant_insert(b, PRACTICE, &g), RF_OK);
    }
    /* Another practice's grant matches every filter below and is never seen. */
    rf_grant_record other = grant("g0", "g0", "a");
    other.referral_id = "r1";
    other.release_at = 1;
    other.expires_at = 1;
    assert_int_equal(b->grant_insert(b, "clinic-b", &other), RF_OK);
    assert_int_equal(b->commit(b), RF_OK);
}

static rf_grant_query any(void)
{
    rf_grant_query q = {
        .release_by = RF_TIME_UNSET, .expires_by = RF_TIME_UNSET, .issued_from = RF_TIME_UNSET};
    return q;
}

/* Due work: a status with a release or expiry bound, from the (status, time) indexes. */
static void grant_scans_find_due_work_at_its_bounds(void **state)
{
    fixture *f = *state;
    rf_backend *b = open_new(f, "gdue");
    insert_grants(b);

    assert_string_equal(grants(b, NULL), "g1,g2,g3,g4,g5,g6");
    rf_grant_query q = any();
    q.status = 1;
    q.release_by = 200; /* inclusive; g3's unset release time never passes */
    assert_string_equal(grants(b, &q), "g1,g6");
    q.release_by = 199;
    assert_string_equal(grants(b, &q), "g6");
    q.release_by = 0;
    assert_string_equal(grants(b, &q), "g6");
    q.release_by = -2;
    assert_string_equal(grants(b, &q), "");
    q.release_by = INT64_MAX;
    assert_string_equal(grants(b, &q), "g1,g5,g6");
    q.after_id = "g1";
    q.limit = 1;
    assert_string_equal(grants(b, &q), "g5");
    q.after_id = "g5";
    q.limit = 0;
    assert_string_equal(grants(b, &q), "g6");
    q = any();
    q.status = 1;
    q.release_by = INT64_MAX;
    q.issued_from = 0; /* 0 is an ordinary bound */
    assert_string_equal(grants(b, &q), "g1,g5");
    q.issued_from = RF_TIME_UNSET;
    q.rule_id = "w2";
    assert_string_equal(grants(b, &q), "g5,g6");

    q = any();
    q.status = 2;
    q.expires_by = 400;
    assert_string_equal(grants(b, &q), "g4");
    q.expires_by = 1000;
    assert_string_equal(grants(b, &q), "g2,g4");
    q.limit = 1;
    assert_string_equal(grants(b, &q), "g2");
    q = any();
    q.status = 1;
    q.expires_by = 0; /* unset expiry times never pass */
    assert_string_equal(grants(b, &q), "g5");
    q.expires_by = -11;
    assert_string_equal(grants(b, &q), "");

    /* Without a status the bounds still filter, along the primary key. */
    q = any();
    q.release_by = 200;
    assert_string_equal(grants(b, &q), "g1,g2,g6");
    q.expires_by = 1000;
    assert_string_equal(grants(b, &q), "g2");
    q = any();
    q.expires_by = 0;
    assert_string_equal(grants(b, &q), "g5");
    b->free(b);
}

/* A referral's, a recipient's and a rule's grants, with the other filters on top. */
static void grant_scans_by_referral_recipient_and_rule(void **state)
{
    fixture *f = *state;
    rf_backend *b = open_new(f, "gscan");
    insert_grants(b);

    rf_grant_query q = any();
    q.issued_from = 150;
    assert_string_equal(grants(b, &q), "g2,g3,g4");
    q.status = 1;
    assert_string_equal(grants(b, &q), "g3");
    q = any();
    q.recipient_id = "a";
    assert_string_equal(grants(b, &q), "g1,g2,g6");
    q.status = 1;
    assert_string_equal(grants(b, &q), "g1,g6");
    q.release_by = 199;
    assert_string_equal(grants(b, &q), "g6");
    q = any();
    q.recipient_id = "a";
    q.after_id = "g1";
    q.limit = 1;
    assert_string_equal(grants(b, &q), "g2");
    q.issued_from = 100;
    q.after_id = NULL;
    q.rule_id = "w1";
    q.limit = 0;
    assert_string_equal(grants(b, &q), "g1,g2");

    q = any();
    q.referral_id = "r1";
    assert_string_equal(grants(b, &q), "g1,g3,g6");
    q.rule_id = "w2";
    assert_string_equal(grants(b, &q), "g3,g6");
    q.recipient_id = "b";
    assert_string_equal(grants(b, &q), "g3");
    q = any();
    q.referral_id = "r9";
    assert_string_equal(grants(b, &q), "");

    q = any();
    q.rule_id = "w1";
    assert_string_equal(grants(b, &q), "g1,g2,g4");
    q.after_id = "g1";
    assert_string_equal(grants(b, &q), "g2,g4");
    q.expires_by = 400;
    assert_string_equal(grants(b, &q), "g4");

    ids_seen s = {.stop_at = 1};
    q = any();
    q.status = 1;
    q.release_by = INT64_MAX;
    assert_int_equal(b->grant_scan(b, PRACTICE, &q, on_grant, &s), RF_OK);
    assert_string_equal(s.ids[0], "g1");
    assert_int_equal(s.n, 1);
    b->free(b);
}

static void ledger_scans_in_seq_order(void **state)
{
    fixture *f = *state;
    make_path(f, "lscan");
    remove_db(f->path);
    static const struct {
        const char *id, *grant, *party;
        int64_t seq;
    } rows[] = {
        {"e9", "g1", "p1", 9}, {"e2", "g1", "p1", 2}, {"e5", "g2", "p1", 5},
        {"e7", "g3", "p2", 7}, {"e3", "g3", "p2", 3}, {"e1", NULL, NULL, 1},
    };
    rf_backend *b = open_ok(f->path);
    assert_int_equal(b->begin(b), RF_OK);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        rf_ledger_record e = entry(rows[i].id, rows[i].id, rows[i].seq);
        e.grant_id = rows[i].grant;
        e.party_id = rows[i].party;
        assert_int_equal(b->ledger_insert(b, PRACTICE, &e), RF_OK);
    }
    rf_ledger_record other = entry("e4", "e4", 4);
    other.grant_id = "g1";
    other.party_id = "p1";
    assert_int_equal(b->ledger_insert(b, "clinic-b", &other), RF_OK);
    assert_int_equal(b->commit(b), RF_OK);

    assert_string_equal(entries(b, NULL), "1,2,3,5,7,9");
    rf_ledger_query q = {.after_seq = 3, .limit = 2};
    assert_string_equal(entries(b, &q), "5,7");
    q = (rf_ledger_query){.party_id = "p1"};
    assert_string_equal(entries(b, &q), "2,5,9");
    q.after_seq = 2;
    q.limit = 1;
    assert_string_equal(entries(b, &q), "5");
    q = (rf_ledger_query){.grant_id = "g3"};
    assert_string_equal(entries(b, &q), "3,7");
    q.party_id = "p1";
    assert_string_equal(entries(b, &q), "");
    q = (rf_ledger_query){.grant_id = "g1", .party_id = "p1", .after_seq = 2};
    assert_string_equal(entries(b, &q), "9");
    q = (rf_ledger_query){.after_seq = 9};
    assert_string_equal(entries(b, &q), "");
    q = (rf_ledger_query){.after_seq = -1};
    assert_string_equal(entries(b, &q), "1,2,3,5,7,9");
    ids_seen s = {.stop_at = 3};
    assert_int_equal(b->ledger_scan(b, PRACTICE, NULL, on_entry, &s), RF_OK);
    assert_int_equal(s.n, 3);
    b->free(b);
}

/* Each scan starts from the index of its most selective filter; those that
 * return an index's order need no sort, and the due-work scans read only the
 * due grants' index range. The gets and updates find their row by key. */
static void v3_statements_use_their_indexes(void **state)
{
    fixture *f = *state;
    const char *path = new_file(f, "plans3");
    assert_plan(path, RF_SQ_RULE_GET, "sqlite_autoindex_reward_rules_1 (practice=? AND id=?)", 0);
    assert_plan(path, RF_SQ_RULE_UPDATE, "sqlite_autoindex_reward_rules_1 (practice=? AND id=?)", 0);
    assert_plan(path, RF_SQ_RULE_SCAN, "sqlite_autoindex_reward_rules_1 (practice=? AND id>?)", 0);
    assert_plan(path, RF_SQ_RULE_SCAN_PROGRAM, "reward_rules_program (practice=? AND program_id=? AND id>?)",
                0);
    assert_plan(path, RF_SQ_GRANT_GET, "sqlite_autoindex_reward_grants_1 (practice=? AND id=?)", 0);
    assert_plan(path, RF_SQ_GRANT_GET_BY_KEY, "sqlite_autoindex_reward_grants_2 (practice=? AND grant_key=?)",
                0);
    assert_plan(path, RF_SQ_GRANT_UPDATE, "sqlite_autoindex_reward_grants_1 (practice=? AND id=?)", 0);
    assert_plan(path, RF_SQ_GRANT_UPDATE_UNKEYED, "sqlite_autoindex_reward_grants_1 (practice=? AND id=?)",
                0);
    assert_plan(path, RF_SQ_GRANT_SCAN, "sqlite_autoindex_reward_grants_1 (practice=? AND id>?)", 0);
    assert_plan(path, RF_SQ_GRANT_SCAN_RECIPIENT,
                "reward_grants_recipient (practice=? AND recipient_id=? AND id>?)", 0);
    assert_plan(path, RF_SQ_GRANT_SCAN_REFERRAL,
                "reward_grants_referral (practice=? AND referral_id=? AND id>?)", 0);
    assert_plan(path, RF_SQ_GRANT_SCAN_RULE, "reward_grants_rule (practice=? AND rule_id=? AND id>?)", 0);
    assert_plan(path, RF_SQ_GRANT_SCAN_RELEASE,
                "reward_grants_release (practice=? AND status=? AND release_at<?)", 1);
    assert_plan(path, RF_SQ_GRANT_SCAN_EXPIRY,
                "reward_grants_expiry (practice=? AND status=? AND expires_at<?)", 1);
    assert_plan(path, RF_SQ_LEDGER_SCAN, "PRIMARY KEY (practice=? AND seq>?)", 0);
    assert_plan(path, RF_SQ_LEDGER_SCAN_PARTY, "ledger_entries_party (practice=? AND party_id=? AND seq>?)",
                0);
    assert_plan(path, RF_SQ_LEDGER_SCAN_GRANT, "ledger_entries_grant (practice=? AND grant_id=? AND seq>?)",
                0);
}

int run_scan_v3_cases(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(rule_scans_by_programme_and_page),
        FIXTURE_TEST(grant_scans_find_due_work_at_its_bounds),
        FIXTURE_TEST(grant_scans_by_referral_recipient_and_rule),
        FIXTURE_TEST(ledger_scans_in_seq_order),
        FIXTURE_TEST(v3_statements_use_their_indexes),
    };
    return cmocka_run_group_tests_name("scans v3", tests, NULL, NULL);
}
