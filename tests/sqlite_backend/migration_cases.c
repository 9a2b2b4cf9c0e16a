/* Schema migrations: a file written by an older libreferral is upgraded in
 * place, in one transaction, keeping its data. */
#include "frozen_schemas.h"

/* What a version-1 store held besides the rows of every old file: the same
 * external id in another practice, journal events and an idempotency key
 * whose fingerprint has the top bit set. */
static const char v1_rows[] =
    "INSERT INTO parties VALUES ('clinic-b', '0001-p', 'ext-1', 'Other', NULL, NULL, NULL, NULL, NULL, "
    "NULL, NULL, 1, 0, 0, 0, 0, 1, 1);"
    "INSERT INTO journal VALUES ('clinic-a', 1, 'party.added', '0001-p', NULL, 'idem-1', NULL, 1700000200);"
    "INSERT INTO journal VALUES ('clinic-a', 2, 'code.issued', '0001-c', '0001-p', NULL, 'n=1', 1700000201);"
    "INSERT INTO idempotency VALUES ('clinic-a', 'idem-1', 'party.add', '0001-p', -1, 1700000300);";

static void write_v1_file(const char *path)
{
    write_old_file(path, 1, v1_rows);
}

static int count_event(const rf_event_record *e, void *payload)
{
    (void)e;
    (*(int *)payload)++;
    return 0;
}

static rf_referral_record small_referral(const char *id, const char *referee, const char *key)
{
    rf_referral_record r;
    memset(&r, 0, sizeof r);
    r.id = id;
    r.program_id = "prog-1";
    r.referrer_id = "0001-p";
    r.referee_id = referee;
    r.attribution_key = key;
    r.direction = 1;
    r.state = 1;
    r.reached_at[1] = 1700000500;
    r.updated_at = 1700000500;
    return r;
}

static void v1_file_is_upgraded_with_its_data(void **state)
{
    fixture *f = *state;
    make_path(f, "v1");
    write_v1_file(f->path);

    rf_backend *b = open_upgraded(f->path, 1);

    /* The old records read back through the vtable, field for field. */
    assert_old_rows_read_back(b, 1);
    rf_party_record got;
    assert_int_equal(b->party_get_by_external(b, "clinic-b", "ext-1", &got), RF_OK);
    assert_string_equal(got.display_name, "Other");
    int64_t last = 0;
    assert_int_equal(b->journal_last_seq(b, PRACTICE, &last), RF_OK);
    assert_int_equal(last, 2);
    int events = 0;
    assert_int_equal(b->journal_scan(b, PRACTICE, 0, 0, count_event, &events), RF_OK);
    assert_int_equal(events, 2);
    rf_idempotency_record idem;
    assert_int_equal(b->idempotency_get(b, PRACTICE, "idem-1", &idem), RF_OK);
    assert_true(idem.fingerprint == UINT64_MAX);
    assert_string_equal(idem.result_id, "0001-p");

    /* The new tables work at once, next to the old data. */
    rf_referral_record r = small_referral("0001-r", "0002-p", "0002-p");
    int64_t seq = 0;
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->referral_insert(b, PRACTICE, &r), RF_OK);
    assert_int_equal(
        b->journal_append(b, PRACTICE, &(rf_event_record){.type = "referral.received", .at = 1}, &seq),
        RF_OK);
    assert_int_equal(seq, 3);
    assert_int_equal(b->commit(b), RF_OK);
    b->free(b);

    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM parties"), 3);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM codes"), 1);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM idempotency"), 1);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM referrals"), 1);
    assert_upgrade_done(f->path);
}

static void upgraded_file_has_the_new_files_schema(void **state)
{
    fixture *f = *state;
    make_path(f, "v1same");
    write_v1_file(f->path);
    assert_upgrade_ends_like_new(f->path);
}

static void new_keys_and_indexes_lead_with_practice(void **state)
{
    fixture *f = *state;
    new_file(f, "v2keys");
    static const char *const want[][2] = {
        {"sqlite_autoindex_programs_1", "practice,id"},
        {"sqlite_autoindex_programs_2", "practice,name"},
        {"sqlite_autoindex_touches_1", "practice,id"},
        {"touches_visitor", "practice,visitor_key,at"},
        {"sqlite_autoindex_referrals_1", "practice,id"},
        {"referrals_attribution", "practice,attribution_key"},
        {"referrals_referrer", "practice,referrer_id,id"},
        {"referrals_referee", "practice,referee_id,id"},
        {"referrals_target", "practice,target_id,id"},
        {"referrals_program", "practice,program_id,received_at"},
    };
    assert_index_columns(f->path, want, sizeof want / sizeof want[0]);
    assert_int_equal(raw_int(f->path, "SELECT \"unique\" FROM pragma_index_list('referrals') "
                                      "WHERE name = 'referrals_attribution'"),
                     1);
    assert_int_equal(raw_int(f->path, "SELECT \"unique\" FROM pragma_index_list('programs') "
                                      "WHERE name = 'sqlite_autoindex_programs_2'"),
                     1);
    /* One column per state, named after it. */
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM pragma_table_info('referrals') WHERE name IN "
                                      "('received_at', 'needs_info_at', 'accepted_at', 'scheduled_at', "
                                      "'no_show_at', 'appt_cancelled_at', 'seen_at', 'closed_at', "
                                      "'cancel_requested_at', 'cancelled_at', 'declined_at', 'lost_at', "
                                      "'on_hold_at', 'entered_in_error_at')"),
                     14);
    assert_all_keys_lead_with_practice(f->path);
}

/* A step that fails leaves the file at its old version with nothing of the new schema. */
static void failed_upgrade_changes_nothing(void **state)
{
    fixture *f = *state;
    make_path(f, "v1fail");
    write_v1_file(f->path);
    /* Someone added a table of the name step 1 creates: the step fails half-way. */
    raw_exec(f->path, "CREATE TABLE referrals (x INTEGER)");

    assert_upgrade_refused(f->path, 1);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM sqlite_master WHERE name IN ('programs', "
                                      "'touches', 'touches_visitor', 'reward_rules', 'reward_grants', "
                                      "'ledger_entries')"),
                     0);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM parties"), 3);
}

/* Two handles opening one old file: the first upgrades it, the second finds it done. */
static void concurrent_opens_upgrade_once(void **state)
{
    fixture *f = *state;
    make_path(f, "v1twice");
    write_v1_file(f->path);
    rf_backend *a = open_ok(f->path);
    rf_backend *b = open_ok(f->path);
    rf_referral_record r = small_referral("0001-r", "0002-p", "0002-p");
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->referral_insert(b, PRACTICE, &r), RF_OK);
    assert_int_equal(b->commit(b), RF_OK);
    rf_referral_record got;
    assert_int_equal(a->referral_get(a, PRACTICE, "0001-r", &got), RF_OK);
    b->free(b);
    a->free(a);
    assert_upgrade_done(f->path);
}

int run_migration_cases(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(v1_file_is_upgraded_with_its_data),
        FIXTURE_TEST(upgraded_file_has_the_new_files_schema),
        FIXTURE_TEST(new_keys_and_indexes_lead_with_practice),
        FIXTURE_TEST(failed_upgrade_changes_nothing),
        FIXTURE_TEST(concurrent_opens_upgrade_once),
    };
    return cmocka_run_group_tests_name("migrations", tests, NULL, NULL);
}
