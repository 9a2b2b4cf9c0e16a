/* Reward rules, grants and the ledger (contract version 3) as the SQLite
 * backend stores them: columns and NULLs, the unique keys the schema itself
 * enforces (also across connections), the two update paths and the grant
 * memo. Scans and their plans are in scan_v3_cases.c. */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>

static void rules_round_trip_update_and_clash(void **state)
{
    fixture *f = *state;
    make_path(f, "rule");
    remove_db(f->path);
    rf_reward_rule_record full = reward_rule("0001-w", "prog-1");
    rf_reward_rule_record bare = {.id = "0002-w"}; /* every string NULL, every number 0 */
    rf_reward_rule_record got;

    rf_backend *b = open_ok(f->path);
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->reward_rule_insert(b, PRACTICE, &full), RF_OK);
    assert_int_equal(b->reward_rule_insert(b, PRACTICE, &bare), RF_OK);
    rf_reward_rule_record same_id = reward_rule("0001-w", "prog-2");
    rf_error_clear();
    assert_int_equal(b->reward_rule_insert(b, PRACTICE, &same_id), RF_EEXISTS);
    assert_int_equal(rf_error_last()->klass, RF_ERRCLASS_REWARD);
    assert_error_mentions("reward rule '0001-w'");
    assert_int_equal(b->reward_rule_insert(b, "clinic-b", &same_id), RF_OK);
    assert_int_equal(b->commit(b), RF_OK);
    b->free(b);

    b = open_ok(f->path);
    assert_int_equal(b->reward_rule_get(b, PRACTICE, "0001-w", &got), RF_OK);
    assert_same_rule(&got, &full);
    assert_int_equal(b->reward_rule_get(b, PRACTICE, "0002-w", &got), RF_OK);
    assert_same_rule(&got, &bare);
    assert_int_equal(b->reward_rule_get(b, "clinic-b", "0001-w", &got), RF_OK);
    assert_string_equal(got.program_id, "prog-2");

    /* Every field is replaced; a missing rule is reported and nothing is added. */
    rf_reward_rule_record changed = {"0001-w", "prog-3", "Retired", NULL, "gift card", 2,
                                     6,        7,        0,         30,   0,           0,
                                     0,        0,        0,         -1,   1700000009,  1700000010};
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->reward_rule_update(b, PRACTICE, &changed), RF_OK);
    rf_reward_rule_record ghost = reward_rule("0009-w", "prog-1");
    rf_error_clear();
    assert_int_equal(b->reward_rule_update(b, PRACTICE, &ghost), RF_ENOTFOUND);
    assert_int_equal(rf_error_last()->klass, RF_ERRCLASS_REWARD);
    assert_error_mentions("'0009-w'");
    assert_int_equal(b->reward_rule_update(b, "clinic-c", &changed), RF_ENOTFOUND);
    assert_int_equal(b->commit(b), RF_OK);
    assert_int_equal(b->reward_rule_get(b, PRACTICE, "0001-w", &got), RF_OK);
    assert_same_rule(&got, &changed);
    assert_int_equal(b->reward_rule_get(b, PRACTICE, "0009-w", &got), RF_ENOTFOUND);
    assert_null(got.id);
    assert_error_mentions("'0009-w'");
    b->free(b);

    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM reward_rules"), 3);
    assert_int_equal(raw_int(f->path, "SELECT trigger_state FROM reward_rules WHERE id = '0001-w' AND "
                                      "practice = 'clinic-a'"),
                     6);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM reward_rules WHERE currency IS NULL"), 2);
}

/* A grant with NULL strings and every optional time unset (0). */
static rf_grant_record bare_grant(const char *id, const char *key)
{
    rf_grant_record g = {.id = id, .grant_key = key, .status = 1, .issued_at = 0, .updated_at = 5};
    return g;
}

static void grants_store_unset_times_as_null(void **state)
{
    fixture *f = *state;
    make_path(f, "grant");
    remove_db(f->path);
    rf_grant_record full = grant("0001-g", "0001-w:0001-r:0001-p", "0001-p");
    rf_grant_record bare = bare_grant("0002-g", "k2");
    rf_grant_record negative = grant("0003-g", "k3", "0001-p");
    negative.release_at = -1;
    negative.expires_at = INT64_MIN + 1;
    negative.issued_at = -7;
    negative.amount = INT64_MAX;
    negative.units = -3;

    rf_backend *b = open_ok(f->path);
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->grant_insert(b, PRACTICE, &full), RF_OK);
    assert_int_equal(b->grant_insert(b, PRACTICE, &bare), RF_OK);
    assert_int_equal(b->grant_insert(b, PRACTICE, &negative), RF_OK);
    assert_int_equal(b->commit(b), RF_OK);
    b->free(b);

    b = open_ok(f->path); /* read from the file, not from what the handle kept */
    rf_grant_record got;
    assert_int_equal(b->grant_get(b, PRACTICE, "0001-g", &got), RF_OK);
    assert_same_grant(&got, &full);
    assert_int_equal(b->grant_get_by_key(b, PRACTICE, "k2", &got), RF_OK);
    assert_same_grant(&got, &bare);
    assert_int_equal(b->grant_get(b, PRACTICE, "0003-g", &got), RF_OK);
    assert_same_grant(&got, &negative);
    assert_int_equal(b->grant_get(b, PRACTICE, "0009-g", &got), RF_ENOTFOUND);
    assert_null(got.id);
    assert_int_equal(rf_error_last()->klass, RF_ERRCLASS_REWARD);
    assert_error_mentions("'0009-g'");
    assert_int_equal(b->grant_get_by_key(b, PRACTICE, "no-such-key", &got), RF_ENOTFOUND);
    assert_null(got.grant_key);
    assert_error_mentions("'no-such-key'");
    assert_int_equal(b->grant_get_by_key(b, "clinic-b", "k2", &got), RF_ENOTFOUND);
    b->free(b);

    /* Unset times are NULL, so reports count and average without a filter. */
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM reward_grants WHERE release_at IS NULL AND "
                                      "released_at IS NULL AND expires_at IS NULL AND closed_at IS NULL"),
                     1);
    assert_int_equal(raw_int(f->path, "SELECT count(released_at) FROM reward_grants"), 2);
    assert_int_equal(raw_int(f->path, "SELECT issued_at FROM reward_grants WHERE id = '0002-g'"), 0);
    assert_int_equal(raw_int(f->path, "SELECT release_at FROM reward_grants WHERE id = '0003-g'"), -1);
}

/* The unique grant key is what makes a grant happen once when two processes
 * replay one trigger: the second insert is refused, by the schema itself. */
static void grant_key_is_unique_across_connections(void **state)
{
    fixture *f = *state;
    make_path(f, "gkey");
    remove_db(f->path);
    rf_grant_record first = grant("0001-g", "w:r:p", "0001-p");
    rf_grant_record second = grant("0002-g", "w:r:p", "0001-p");
    rf_grant_record other = grant("0003-g", "w:r:q", "0002-p");

    rf_backend *a = open_ok(f->path);
    rf_backend *b = open_ok(f->path);
    assert_int_equal(a->begin(a), RF_OK);
    assert_int_equal(a->grant_insert(a, PRACTICE, &first), RF_OK);
    assert_int_equal(a->commit(a), RF_OK);

    assert_int_equal(b->begin(b), RF_OK);
    rf_error_clear();
    assert_int_equal(b->grant_insert(b, PRACTICE, &second), RF_EEXISTS);
    assert_int_equal(rf_error_last()->code, RF_EEXISTS);
    assert_int_equal(rf_error_last()->klass, RF_ERRCLASS_REWARD);
    assert_error_mentions("grant key 'w:r:p'");
    /* The refusal undid only itself: the same transaction goes on and commits. */
    assert_int_equal(b->grant_insert(b, PRACTICE, &other), RF_OK);
    rf_grant_record same_id = grant("0001-g", "w:r:z", "0001-p");
    rf_error_clear();
    assert_int_equal(b->grant_insert(b, PRACTICE, &same_id), RF_EEXISTS);
    assert_error_mentions("grant '0001-g'");
    assert_int_equal(b->grant_insert(b, "clinic-b", &second), RF_OK); /* keys are per practice */
    assert_int_equal(b->commit(b), RF_OK);

    rf_grant_record got;
    assert_int_equal(a->grant_get_by_key(a, PRACTICE, "w:r:p", &got), RF_OK);
    assert_string_equal(got.id, "0001-g");
    b->free(b);
    a->free(a);

    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM reward_grants WHERE practice = 'clinic-a'"), 2);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM reward_grants WHERE grant_key = 'w:r:p'"), 2);
    /* Enforced by the schema, not by the backend's code. */
    assert_int_equal(raw_rc(f->path,
                            "INSERT INTO reward_grants SELECT practice, 'x', grant_key, rule_id, "
                            "program_id, referral_id, recipient_id, currency, item, recipient, kind, "
                            "rule_kind, compliance, percent, tier_count, status, amount, units, "
                            "issued_at, release_at, released_at, expires_at, closed_at, updated_at "
                            "FROM reward_grants WHERE id = '0001-g' AND practice = 'clinic-a'"),
                     SQLITE_CONSTRAINT_UNIQUE);
    assert_int_equal(raw_rc(f->path, "UPDATE reward_grants SET grant_key = 'w:r:p' WHERE id = '0003-g'"),
                     SQLITE_CONSTRAINT_UNIQUE);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM reward_grants"), 3);
}

/* A move (status and times) takes the update that leaves the rule, referral
 * and recipient indexes alone; a change of those takes the full one. Neither
 * changes the grant key. Gets inside the transaction answer from the memo of
 * the grant last written, which must always hold what the row holds. */
static void grant_updates_keep_the_key_and_report_misses(void **state)
{
    fixture *f = *state;
    make_path(f, "gupdate");
    remove_db(f->path);
    rf_grant_record g = grant("0001-g", "w:r:p", "0001-p");
    rf_grant_record g2 = grant("0002-g", "w:r:q", "0002-p");
    rf_grant_record got;

    rf_backend *b = open_ok(f->path);
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->grant_insert(b, PRACTICE, &g), RF_OK);
    assert_int_equal(b->grant_insert(b, PRACTICE, &g2), RF_OK);
    g.status = 2;
    g.released_at = 1700000500;
    g.closed_at = 0;
    g.updated_at = 1700000500;
    assert_int_equal(b->grant_update(b, PRACTICE, &g), RF_OK);
    assert_int_equal(b->grant_get(b, PRACTICE, "0001-g", &got), RF_OK);
    assert_same_grant(&got, &g);

    g.recipient_id = "0005-p";
    g.referral_id = "0007-r";
    g.rule_id = NULL;
    assert_int_equal(b->grant_update(b, PRACTICE, &g), RF_OK);
    assert_int_equal(b->grant_get_by_key(b, PRACTICE, "w:r:p", &got), RF_OK);
    assert_same_grant(&got, &g);

    /* A different key in the record is not stored: the key never changes. */
    rf_grant_record rekeyed = g;
    rekeyed.grant_key = "w:r:q";
    rekeyed.status = 3;
    assert_int_equal(b->grant_update(b, PRACTICE, &rekeyed), RF_OK);
    g.status = 3;
    assert_int_equal(b->grant_get(b, PRACTICE, "0001-g", &got), RF_OK);
    assert_same_grant(&got, &g);
    assert_int_equal(b->grant_get_by_key(b, PRACTICE, "w:r:q", &got), RF_OK);
    assert_string_equal(got.id, "0002-g");

    /* No such grant: not found, and nothing inserted. */
    rf_grant_record ghost = grant("0009-g", "w:r:z", "0001-p");
    rf_error_clear();
    assert_int_equal(b->grant_update(b, PRACTICE, &ghost), RF_ENOTFOUND);
    assert_int_equal(rf_error_last()->klass, RF_ERRCLASS_REWARD);
    assert_error_mentions("'0009-g'");
    assert_int_equal(b->grant_update(b, "clinic-b", &g), RF_ENOTFOUND);
    assert_int_equal(b->commit(b), RF_OK);
    b->free(b);

    b = open_ok(f->path);
    assert_int_equal(b->grant_get_by_key(b, PRACTICE, "w:r:p", &got), RF_OK);
    assert_same_grant(&got, &g);
    b->free(b);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM reward_grants"), 2);
    assert_int_equal(raw_int(f->path, "SELECT closed_at IS NULL FROM reward_grants WHERE id = '0001-g'"), 1);
}

/* The memo never outlives what it mirrors: an undone level, the end of the
 * transaction (another connection may write next) or a refused write. */
static void grant_memo_follows_rollbacks_and_other_writers(void **state)
{
    fixture *f = *state;
    make_path(f, "gmemo");
    remove_db(f->path);
    rf_grant_record g = grant("0001-g", "w:r:p", "0001-p");
    rf_grant_record got;
    rf_backend *a = open_ok(f->path);
    rf_backend *b = open_ok(f->path);

    assert_int_equal(a->begin(a), RF_OK);
    assert_int_equal(a->grant_insert(a, PRACTICE, &g), RF_OK);
    assert_int_equal(a->begin(a), RF_OK);
    rf_grant_record moved = g;
    moved.status = 4;
    assert_int_equal(a->grant_update(a, PRACTICE, &moved), RF_OK);
    assert_int_equal(a->rollback(a), RF_OK); /* undoes the move only */
    assert_int_equal(a->grant_get(a, PRACTICE, "0001-g", &got), RF_OK);
    assert_same_grant(&got, &g);
    assert_int_equal(a->begin(a), RF_OK);
    assert_int_equal(a->grant_update(a, PRACTICE, &moved), RF_OK);
    assert_int_equal(a->commit(a), RF_OK);
    assert_int_equal(a->grant_get_by_key(a, PRACTICE, "w:r:p", &got), RF_OK);
    assert_int_equal(got.status, 4);
    assert_int_equal(a->rollback(a), RF_OK); /* undoes the insert too */
    assert_int_equal(a->grant_get(a, PRACTICE, "0001-g", &got), RF_ENOTFOUND);
    assert_int_equal(a->grant_get_by_key(a, PRACTICE, "w:r:p", &got), RF_ENOTFOUND);

    /* Read and kept by a; changed by b between a's transactions. */
    assert_int_equal(a->begin(a), RF_OK);
    assert_int_equal(a->grant_insert(a, PRACTICE, &g), RF_OK);
    assert_int_equal(a->commit(a), RF_OK);
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->grant_update(b, PRACTICE, &moved), RF_OK);
    assert_int_equal(b->commit(b), RF_OK);
    assert_int_equal(a->begin(a), RF_OK);
    assert_int_equal(a->grant_get(a, PRACTICE, "0001-g", &got), RF_OK);
    assert_int_equal(got.status, 4);
    /* A refused insert of a clashing grant leaves the kept one answering truly. */
    rf_grant_record clash = grant("0002-g", "w:r:p", "0002-p");
    assert_int_equal(a->grant_insert(a, PRACTICE, &clash), RF_EEXISTS);
    assert_int_equal(a->grant_get_by_key(a, PRACTICE, "w:r:p", &got), RF_OK);
    assert_string_equal(got.id, "0001-g");
    assert_int_equal(a->grant_get(a, PRACTICE, "0002-g", &got), RF_ENOTFOUND);
    assert_int_equal(a->commit(a), RF_OK);
    b->free(b);
    a->free(a);
}

static int copy_entry(const rf_ledger_record *e, void *payload)
{
    rf_ledger_record *out = payload;
    /* Borrowed strings die with the callback: keep what is compared below. */
    *out = *e;
    out->id = e->id != NULL ? "seen" : NULL;
    out->entry_key = e->entry_key != NULL ? "seen" : NULL;
    out->grant_id = e->grant_id != NULL ? "seen" : NULL;
    out->party_id = e->party_id != NULL ? "seen" : NULL;
    out->currency = e->currency != NULL ? "seen" : NULL;
    out->reference = e->reference != NULL ? "seen" : NULL;
    return 1;
}

/* Id, entry key and seq are each unique per practice; a refusal names the
 * key and changes nothing, and NULL strings round-trip. */
static void ledger_keys_are_unique_and_nulls_round_trip(void **state)
{
    fixture *f = *state;
    make_path(f, "ledger");
    remove_db(f->path);
    rf_ledger_record e = entry("0001-l", "0001-g:issued", 5);
    rf_ledger_record bare = {.id = "0002-l", .entry_key = "0001-g:released", .seq = 6};

    rf_backend *b = open_ok(f->path);
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->ledger_insert(b, PRACTICE, &e), RF_OK);
    assert_int_equal(b->ledger_insert(b, PRACTICE, &bare), RF_OK);
    rf_ledger_record same_id = entry("0001-l", "k9", 9);
    rf_ledger_record same_key = entry("0009-l", "0001-g:issued", 9);
    rf_ledger_record same_seq = entry("0009-l", "k9", 5);
    rf_error_clear();
    assert_int_equal(b->ledger_insert(b, PRACTICE, &same_id), RF_EEXISTS);
    assert_int_equal(rf_error_last()->klass, RF_ERRCLASS_REWARD);
    assert_error_mentions("ledger entry '0001-l'");
    assert_int_equal(b->ledger_insert(b, PRACTICE, &same_key), RF_EEXISTS);
    assert_error_mentions("entry key '0001-g:issued'");
    assert_int_equal(b->ledger_insert(b, PRACTICE, &same_seq), RF_EEXISTS);
    assert_error_mentions("sequence number 5");
    assert_int_equal(b->ledger_insert(b, "clinic-b", &e), RF_OK); /* keys are per practice */
    assert_int_equal(b->commit(b), RF_OK);
    b->free(b);

    b = open_ok(f->path);
    rf_ledger_record got;
    rf_ledger_query q = {.after_seq = 5};
    assert_int_equal(b->ledger_scan(b, PRACTICE, &q, copy_entry, &got), RF_OK);
    assert_null(got.currency);
    assert_null(got.reference);
    assert_null(got.grant_id);
    assert_int_equal(got.seq, 6);
    assert_int_equal(got.amount, 0);
    q.after_seq = 0;
    assert_int_equal(b->ledger_scan(b, PRACTICE, &q, copy_entry, &got), RF_OK);
    assert_int_equal(got.seq, 5);
    assert_int_equal(got.pending_delta, -2500);
    assert_int_equal(got.available_delta, 1800);
    assert_int_equal(got.type, 3);
    assert_int_equal(got.at, 1700000400);
    assert_string_equal(got.reference, "seen");
    b->free(b);

    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM ledger_entries WHERE practice = 'clinic-a'"), 2);
    /* Enforced by the schema: three unique keys, and entries cannot be written twice. */
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM pragma_index_list('ledger_entries') "
                                      "WHERE \"unique\" = 1"),
                     3);
    assert_int_equal(raw_rc(f->path,
                            "INSERT INTO ledger_entries (practice, seq, id, entry_key, type, amount, "
                            "pending_delta, available_delta, at) VALUES ('clinic-a', 7, 'x', "
                            "'0001-g:issued', 1, 0, 0, 0, 0)"),
                     SQLITE_CONSTRAINT_UNIQUE);
}

static void v3_writes_outside_transaction_are_refused(void **state)
{
    fixture *f = *state;
    rf_backend *b = open_new(f, "v3notxn");
    rf_reward_rule_record rule = reward_rule("0001-w", "prog-1");
    rf_grant_record g = grant("0001-g", "k", "0001-p");
    rf_ledger_record e = entry("0001-l", "k", 1);
    rf_error_clear();
    assert_int_equal(b->reward_rule_insert(b, PRACTICE, &rule), RF_EBACKEND);
    assert_error_mentions("outside a transaction");
    assert_int_equal(b->reward_rule_update(b, PRACTICE, &rule), RF_EBACKEND);
    assert_int_equal(b->grant_insert(b, PRACTICE, &g), RF_EBACKEND);
    assert_int_equal(b->grant_update(b, PRACTICE, &g), RF_EBACKEND);
    assert_int_equal(b->ledger_insert(b, PRACTICE, &e), RF_EBACKEND);
    b->free(b);
    assert_int_equal(
        raw_int(f->path, "SELECT (SELECT count(*) FROM reward_rules) + (SELECT count(*) FROM reward_grants) "
                         "+ (SELECT count(*) FROM ledger_entries)"),
        0);
}

static void v3_keys_and_indexes_lead_with_practice(void **state)
{
    fixture *f = *state;
    new_file(f, "v3keys");
    static const char *const want[][2] = {
        {"sqlite_autoindex_reward_rules_1", "practice,id"},
        {"reward_rules_program", "practice,program_id,id"},
        {"sqlite_autoindex_reward_grants_1", "practice,id"},
        {"sqlite_autoindex_reward_grants_2", "practice,grant_key"},
        {"reward_grants_recipient", "practice,recipient_id,id"},
        {"reward_grants_referral", "practice,referral_id,id"},
        {"reward_grants_rule", "practice,rule_id,id"},
        {"reward_grants_release", "practice,status,release_at"},
        {"reward_grants_expiry", "practice,status,expires_at"},
        {"sqlite_autoindex_ledger_entries_1", "practice,seq"},
        {"sqlite_autoindex_ledger_entries_2", "practice,id"},
        {"sqlite_autoindex_ledger_entries_3", "practice,entry_key"},
        {"ledger_entries_party", "practice,party_id,seq"},
        {"ledger_entries_grant", "practice,grant_id,seq"},
    };
    assert_index_columns(f->path, want, sizeof want / sizeof want[0]);
    assert_int_equal(raw_int(f->path, "SELECT \"unique\" FROM pragma_index_list('reward_grants') "
                                      "WHERE name = 'sqlite_autoindex_reward_grants_2'"),
                     1);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM pragma_index_list('reward_grants') "
                                      "WHERE \"unique\" = 1"),
                     2);
    /* The ledger is clustered on its order. */
    assert_int_equal(raw_int(f->path, "SELECT sql LIKE '%WITHOUT ROWID' FROM sqlite_master "
                                      "WHERE name = 'ledger_entries'"),
                     1);
    assert_all_keys_lead_with_practice(f->path);
}

int run_record_v3_cases(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(rules_round_trip_update_and_clash),
        FIXTURE_TEST(grants_store_unset_times_as_null),
        FIXTURE_TEST(grant_key_is_unique_across_connections),
        FIXTURE_TEST(grant_updates_keep_the_key_and_report_misses),
        FIXTURE_TEST(grant_memo_follows_rollbacks_and_other_writers),
        FIXTURE_TEST(ledger_keys_are_unique_and_nulls_round_trip),
        FIXTURE_TEST(v3_writes_outside_transaction_are_refused),
        FIXTURE_TEST(v3_keys_and_indexes_lead_with_practice),
    };
    return cmocka_run_group_tests_name("records v3", tests, NULL, NULL);
}
