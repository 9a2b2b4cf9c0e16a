/* The schema 2 -> 3 migration (reward rules, grants and the ledger): a file
 * written by libreferral with contract version 2 is upgraded in place, in
 * one transaction, keeping its data. */
#include "frozen_schemas.h"

/* What a version-2 store held besides the rows of every old file: the same
 * programme name in another practice, a touch and referrals, one moved on,
 * and the journal events that followed. */
static const char v2_rows[] =
    "INSERT INTO programs VALUES ('clinic-b', 'prog-9', 'Friends', NULL, 1, 2);"
    "INSERT INTO touches VALUES ('clinic-a', '0001-t', '0001-c', '0001-p', 'prog-1', 'visitor-1', 3, "
    "1700000150);"
    "INSERT INTO referrals (practice, id, program_id, referrer_id, referee_id, code_id, touch_id, "
    "evidence, attribution_key, direction, source, channel, state, held_state, care_level, urgency, "
    "fraud_flags, documents_complete, reschedules, no_shows, visits, received_at, accepted_at, "
    "scheduled_at, appointment_at, first_appointment_at, updated_at) VALUES ('clinic-a', '0001-r', "
    "'prog-1', '0001-p', '0002-p', '0001-c', '0001-t', 'code=JANE7K3Q', '0002-p', 1, 1, 3, 4, 0, 1, 1, 0, "
    "1, 1, 0, 0, 1700000200, 1700000300, 1700000400, 1700900000, 1700800000, 1700000400);"
    "INSERT INTO referrals (practice, id, program_id, referrer_id, referee_id, direction, source, channel, "
    "state, held_state, care_level, urgency, fraud_flags, documents_complete, reschedules, no_shows, "
    "visits, received_at, updated_at) VALUES ('clinic-b', '0001-r', 'prog-9', 'x', 'y', 1, 1, 1, 1, 0, 0, "
    "0, 0, 0, 0, 0, 0, 5, 5);"
    "INSERT INTO journal VALUES ('clinic-a', 2, 'program.created', 'prog-1', NULL, NULL, NULL, 1700000050);"
    "INSERT INTO journal VALUES ('clinic-a', 3, 'referral.received', '0001-r', '0001-p', NULL, 'n=1', "
    "1700000200);";

static void write_v2_file(const char *path)
{
    write_old_file(path, 2, v2_rows);
}

/* The records a contract-version-3 store adds, written through the vtable. */
static void write_rewards(rf_backend *b, const char *practice, int64_t seq)
{
    rf_reward_rule_record rule = reward_rule("0001-w", "prog-1");
    rf_grant_record g = grant("0001-g", "0001-w:0001-r:0001-p", "0001-p");
    rf_ledger_record e = entry("0001-l", "0001-g:issued", seq);
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->reward_rule_insert(b, practice, &rule), RF_OK);
    assert_int_equal(b->grant_insert(b, practice, &g), RF_OK);
    assert_int_equal(b->ledger_insert(b, practice, &e), RF_OK);
    assert_int_equal(b->commit(b), RF_OK);
}

static void v2_file_is_upgraded_with_its_data(void **state)
{
    fixture *f = *state;
    make_path(f, "v2");
    write_v2_file(f->path);

    rf_backend *b = open_upgraded(f->path, 2);

    /* The old records read back through the vtable, field for field. */
    assert_old_rows_read_back(b, 2);
    rf_program_record prog;
    assert_int_equal(b->program_get_by_name(b, "clinic-b", "Friends", &prog), RF_OK);
    assert_string_equal(prog.id, "prog-9");
    rf_touch_record touch;
    assert_int_equal(b->touch_get(b, PRACTICE, "0001-t", &touch), RF_OK);
    assert_string_equal(touch.visitor_key, "visitor-1");
    rf_referral_record r;
    assert_int_equal(b->referral_get(b, PRACTICE, "0001-r", &r), RF_OK);
    assert_string_equal(r.attribution_key, "0002-p");
    assert_int_equal(r.state, 4);
    assert_int_equal(r.reached_at[1], 1700000200);
    assert_int_equal(r.reached_at[3], 1700000300);
    assert_int_equal(r.reached_at[4], 1700000400);
    assert_int_equal(r.reached_at[2], 0);
    assert_int_equal(r.first_appointment_at, 1700800000);
    int64_t last = 0;
    assert_int_equal(b->journal_last_seq(b, PRACTICE, &last), RF_OK);
    assert_int_equal(last, 3);

    /* The new tables work at once, next to the old data, and keep their unique keys. */
    write_rewards(b, PRACTICE, 4);
    rf_grant_record twice = grant("0002-g", "0001-w:0001-r:0001-p", "0001-p");
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->grant_insert(b, PRACTICE, &twice), RF_EEXISTS);
    assert_int_equal(b->rollback(b), RF_OK);
    rf_grant_record g;
    assert_int_equal(b->grant_get_by_key(b, PRACTICE, "0001-w:0001-r:0001-p", &g), RF_OK);
    assert_string_equal(g.id, "0001-g");
    b->free(b);

    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM parties"), 2);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM programs"), 2);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM referrals"), 2);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM journal"), 3);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM reward_rules"), 1);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM reward_grants"), 1);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM ledger_entries"), 1);
    assert_upgrade_done(f->path);
}

/* The frozen version-2 schema is what steps 0 and 1 still create, and the
 * upgraded file ends exactly like a new one. */
static void upgraded_v2_file_has_the_new_files_schema(void **state)
{
    fixture *f = *state;
    make_path(f, "v2same");
    write_v2_file(f->path);
    assert_upgrade_ends_like_new(f->path);
}

/* A step that fails leaves the file at version 2 with nothing of the new schema. */
static void failed_v2_upgrade_changes_nothing(void **state)
{
    fixture *f = *state;
    make_path(f, "v2fail");
    write_v2_file(f->path);
    /* Someone added a table of a name step 2 creates after others: the step fails half-way. */
    raw_exec(f->path, "CREATE TABLE ledger_entries (x INTEGER)");

    assert_upgrade_refused(f->path, 2);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM sqlite_master WHERE name IN ('reward_rules', "
                                      "'reward_rules_program', 'reward_grants', 'reward_grants_expiry')"),
                     0);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM referrals"), 2);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM journal"), 3);
}

/* Two handles opening one version-2 file: the first upgrades it, the second
 * finds it done; both then see each other's rewards. */
static void concurrent_opens_upgrade_v2_once(void **state)
{
    fixture *f = *state;
    make_path(f, "v2twice");
    write_v2_file(f->path);
    rf_backend *a = open_ok(f->path);
    rf_backend *b = open_ok(f->path);
    write_rewards(b, PRACTICE, 4);
    rf_reward_rule_record rule;
    assert_int_equal(a->reward_rule_get(a, PRACTICE, "0001-w", &rule), RF_OK);
    rf_grant_record g;
    assert_int_equal(a->grant_get(a, PRACTICE, "0001-g", &g), RF_OK);
    b->free(b);
    a->free(a);
    assert_upgrade_done(f->path);
}

int run_migration_v2_cases(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(v2_file_is_upgraded_with_its_data),
        FIXTURE_TEST(upgraded_v2_file_has_the_new_files_schema),
        FIXTURE_TEST(failed_v2_upgrade_changes_nothing),
        FIXTURE_TEST(concurrent_opens_upgrade_v2_once),
    };
    return cmocka_run_group_tests_name("migrations from version 2", tests, NULL, NULL);
}
