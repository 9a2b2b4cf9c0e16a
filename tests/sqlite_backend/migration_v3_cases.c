/* The schema 3 -> 4 migration (client events, outbox tasks, message
 * templates and the party's preferred channel): a file written by
 * libreferral with contract version 3 is upgraded in place, in one
 * transaction, keeping its data. */
#include "frozen_schemas.h"

/* What a version-3 store held besides the rows of every old file: a
 * referral, a reward rule, a grant with every field, a bare grant (unset
 * times NULL), a ledger entry and the journal event that followed. */
static const char v3_rows[] =
    "INSERT INTO referrals (practice, id, program_id, referrer_id, referee_id, code_id, attribution_key, "
    "direction, source, channel, state, held_state, care_level, urgency, fraud_flags, documents_complete, "
    "reschedules, no_shows, visits, received_at, updated_at) VALUES ('clinic-a', '0001-r', 'prog-1', "
    "'0001-p', '0002-p', '0001-c', '0002-p', 1, 1, 3, 1, 0, 1, 1, 0, 1, 0, 0, 0, 1700000200, 1700000200);"
    "INSERT INTO reward_rules VALUES ('clinic-a', '0001-w', 'prog-1', 'Friend''s first session', 'GBP', "
    "'+15 minutes', 1, 7, 1, 10, 180, 14, 3, 365, 5, 1, 2500, 1700000000, 1700000001);"
    "INSERT INTO reward_grants VALUES ('clinic-a', '0001-g', '0001-w:0001-r:0001-p', '0001-w', 'prog-1', "
    "'0001-r', '0001-p', 'GBP', '+15 minutes', 1, 8, 1, 1, 10, 3, 1, 2500, 2500, 1700000000, 1701209600, "
    "1701209700, 1716761600, 1716761700, 1716761800);"
    "INSERT INTO reward_grants VALUES ('clinic-a', '0002-g', 'k2', NULL, NULL, NULL, NULL, NULL, NULL, 0, "
    "0, 0, 0, 0, 0, 1, 0, 0, 0, NULL, NULL, NULL, NULL, 5);"
    "INSERT INTO ledger_entries VALUES ('clinic-a', 1, '0001-l', '0001-g:issued', '0001-g', '0001-p', "
    "'GBP', 'invoice 42', 3, 700, -2500, 1800, 1700000400);"
    "INSERT INTO journal VALUES ('clinic-a', 2, 'reward.granted', '0001-g', '0001-p', NULL, 'n=1', "
    "1700000300);";

static void write_v3_file(const char *path)
{
    write_old_file(path, 3, v3_rows);
}

/* The records a contract-version-4 store adds, written through the vtable. */
static void write_outbox(rf_backend *b, const char *practice)
{
    rf_client_event_record e = event_rec("0001-e", "0001-p");
    rf_task_record t = task_rec("0001-k", "thank:0001-r", "0001-p");
    rf_template_record wide = template_rec("0001-m", NULL, "thanks.sms");
    rf_template_record own = template_rec("0002-m", "prog-1", "thanks.sms");
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->client_event_insert(b, practice, &e), RF_OK);
    assert_int_equal(b->task_insert(b, practice, &t), RF_OK);
    assert_int_equal(b->template_insert(b, practice, &wide), RF_OK);
    assert_int_equal(b->template_insert(b, practice, &own), RF_OK);
    assert_int_equal(b->commit(b), RF_OK);
}

static int same_event(const rf_client_event_record *e, void *payload)
{
    assert_same_event(e, payload);
    return 0;
}

static void v3_file_is_upgraded_with_its_data(void **state)
{
    fixture *f = *state;
    make_path(f, "v3");
    write_v3_file(f->path);

    rf_backend *b = open_upgraded(f->path, 3);

    /* The old records read back through the vtable, field for field. */
    assert_old_rows_read_back(b, 3);
    rf_referral_record r;
    assert_int_equal(b->referral_get(b, PRACTICE, "0001-r", &r), RF_OK);
    assert_string_equal(r.attribution_key, "0002-p");
    rf_reward_rule_record want_rule = reward_rule("0001-w", "prog-1");
    rf_reward_rule_record rule;
    assert_int_equal(b->reward_rule_get(b, PRACTICE, "0001-w", &rule), RF_OK);
    assert_same_rule(&rule, &want_rule);
    rf_grant_record want_grant = grant("0001-g", "0001-w:0001-r:0001-p", "0001-p");
    rf_grant_record g;
    assert_int_equal(b->grant_get_by_key(b, PRACTICE, "0001-w:0001-r:0001-p", &g), RF_OK);
    assert_same_grant(&g, &want_grant);
    rf_grant_record bare_grant = {.id = "0002-g", .grant_key = "k2", .status = 1, .updated_at = 5};
    assert_int_equal(b->grant_get(b, PRACTICE, "0002-g", &g), RF_OK);
    assert_same_grant(&g, &bare_grant);
    int64_t last = 0;
    assert_int_equal(b->journal_last_seq(b, PRACTICE, &last), RF_OK);
    assert_int_equal(last, 2);

    /* The new tables work at once, next to the old data, and keep their unique keys. */
    write_outbox(b, PRACTICE);
    rf_client_event_record want_event = event_rec("0001-e", "0001-p");
    rf_client_event_query q = {.party_id = "0001-p", .from = RF_TIME_UNSET, .to = RF_TIME_UNSET};
    assert_int_equal(b->client_event_scan(b, PRACTICE, &q, same_event, &want_event), RF_OK);
    rf_task_record want_task = task_rec("0001-k", "thank:0001-r", "0001-p");
    rf_task_record t;
    assert_int_equal(b->task_get_by_key(b, PRACTICE, "thank:0001-r", &t), RF_OK);
    assert_same_task(&t, &want_task);
    rf_template_record tpl;
    assert_int_equal(b->template_get_by_name(b, PRACTICE, NULL, "thanks.sms", &tpl), RF_OK);
    assert_string_equal(tpl.id, "0001-m");
    rf_task_record twice = task_rec("0002-k", "thank:0001-r", "0001-p");
    rf_template_record wide_twice = template_rec("0003-m", NULL, "thanks.sms");
    assert_int_equal(b->begin(b), RF_OK);
    assert_int_equal(b->task_insert(b, PRACTICE, &twice), RF_EEXISTS);
    assert_int_equal(b->template_insert(b, PRACTICE, &wide_twice), RF_EEXISTS);
    /* An old party now keeps a preferred channel. */
    rf_party_record want = party("0001-p", "ext-1");
    rf_party_record got;
    want.preferred_channel = 4;
    assert_int_equal(b->party_update(b, PRACTICE, &want), RF_OK);
    assert_int_equal(b->commit(b), RF_OK);
    assert_int_equal(b->party_get_by_external(b, PRACTICE, "ext-1", &got), RF_OK);
    assert_same_party(&got, &want);
    b->free(b);

    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM parties"), 2);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM referrals"), 1);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM reward_grants"), 2);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM ledger_entries"), 1);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM journal"), 2);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM client_events"), 1);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM tasks"), 1);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM templates"), 2);
    assert_int_equal(raw_int(f->path, "SELECT preferred_channel FROM parties WHERE id = '0002-p'"), 0);
    assert_upgrade_done(f->path);
}

/* The frozen version-3 schema is what steps 0 to 2 still create, and the
 * upgraded file (with the column added to parties) ends exactly like a new one. */
static void upgraded_v3_file_has_the_new_files_schema(void **state)
{
    fixture *f = *state;
    make_path(f, "v3same");
    write_v3_file(f->path);
    assert_upgrade_ends_like_new(f->path);
}

/* A step that fails leaves the file at version 3 with nothing of the new
 * schema, not even the column the step's first statement added. */
static void failed_v3_upgrade_changes_nothing(void **state)
{
    fixture *f = *state;
    make_path(f, "v3fail");
    write_v3_file(f->path);
    /* Someone added a table of the name step 3 creates last: the step fails half-way. */
    raw_exec(f->path, "CREATE TABLE templates (x INTEGER)");

    assert_upgrade_refused(f->path, 3);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM sqlite_master WHERE name IN ('client_events', "
                                      "'client_events_party', 'tasks', 'tasks_due')"),
                     0);
    assert_int_equal(
        raw_int(f->path,
                "SELECT count(*) FROM pragma_table_info('parties') WHERE name = 'preferred_channel'"),
        0);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM parties"), 2);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM reward_grants"), 2);
}

/* Two handles opening one version-3 file: the first upgrades it, the second
 * finds it done; both then see each other's tasks. */
static void concurrent_opens_upgrade_v3_once(void **state)
{
    fixture *f = *state;
    make_path(f, "v3twice");
    write_v3_file(f->path);
    rf_backend *a = open_ok(f->path);
    rf_backend *b = open_ok(f->path);
    write_outbox(b, PRACTICE);
    rf_task_record t;
    assert_int_equal(a->task_get(a, PRACTICE, "0001-k", &t), RF_OK);
    rf_template_record tpl;
    assert_int_equal(a->template_get_by_name(a, PRACTICE, "prog-1", "thanks.sms", &tpl), RF_OK);
    assert_string_equal(tpl.id, "0002-m");
    b->free(b);
    a->free(a);
    assert_upgrade_done(f->path);
}

int run_migration_v3_cases(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(v3_file_is_upgraded_with_its_data),
        FIXTURE_TEST(upgraded_v3_file_has_the_new_files_schema),
        FIXTURE_TEST(failed_v3_upgrade_changes_nothing),
        FIXTURE_TEST(concurrent_opens_upgrade_v3_once),
    };
    return cmocka_run_group_tests_name("migrations from version 3", tests, NULL, NULL);
}
