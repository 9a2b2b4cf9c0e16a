/* Tenancy: two practices in one database never see each other's records.
 *
 *   test_tenancy            one SQLite file, handles of "north" and "south"
 *   test_tenancy postgres   one PostgreSQL database (exits 77, skipped, when the
 *                           build has no PostgreSQL or RF_TEST_POSTGRES is unset)
 *
 * Each case starts from fresh storage holding two practices filled alike
 * (tenancy_practice.c), then tries from each handle to reach the other's
 * records: by id, through lists, codes, external ids, the journal, the outbox,
 * KPIs, and by changing them. Every refusal leaves both practices as they were. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tenancy.h"
#ifdef RF_WITH_POSTGRES
#include "pg_support.h"
#endif

static int on_postgres;

typedef struct world {
    char uri[600];
    char dbname[64];
    practice north, south;
} world;

static int world_setup(void **state)
{
    static unsigned counter;
    world *w = calloc(1, sizeof *w);
    assert_non_null(w);
    counter++;
    if (on_postgres) {
#ifdef RF_WITH_POSTGRES
        char conninfo[512];
        snprintf(w->dbname, sizeof w->dbname, "rf_tenancy_%ld_%u", (long)getpid(), counter);
        assert_int_equal(pg_test_create(conninfo, sizeof conninfo, w->dbname), 0);
        snprintf(w->uri, sizeof w->uri, "postgres:%s", conninfo);
#endif
    } else {
        snprintf(w->uri, sizeof w->uri, "sqlite:%s/tenancy-%ld-%u.db", RF_TEST_TMPDIR, (long)getpid(),
                 counter);
        unlink(w->uri + strlen("sqlite:"));
    }
    /* Different numbers of referrals, and the practices filled one after the other. */
    practice_open(&w->north, w->uri, "north", 1001, 1);
    practice_open(&w->south, w->uri, "south", 2002, 3);
    practice_fill(&w->north);
    practice_fill(&w->south);
    practice_collect_ids(&w->north);
    practice_collect_ids(&w->south);
    *state = w;
    return 0;
}

static int world_teardown(void **state)
{
    world *w = *state;
    practice_close(&w->north);
    practice_close(&w->south);
    if (on_postgres) {
#ifdef RF_WITH_POSTGRES
        assert_int_equal(pg_test_release(w->dbname), 0);
#endif
    } else {
        const char *path = w->uri + strlen("sqlite:");
        char side[620];
        unlink(path);
        snprintf(side, sizeof side, "%s-wal", path);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", path);
        unlink(side);
    }
    free(w);
    return 0;
}

/* Both directions of every check. */
#define BOTH(w, check)                                                                                       \
    do {                                                                                                     \
        check(&(w)->north, &(w)->south);                                                                     \
        check(&(w)->south, &(w)->north);                                                                     \
    } while (0)

/* --- reading ---------------------------------------------------------------- */

static void others_ids_find_nothing(practice *me, practice *other)
{
    rf_store *s = me->fx.store;
    rf_party *party = NULL;
    assert_status(rf_party_get(&party, s, other->jane_id), RF_ENOTFOUND);
    assert_null(party);
    assert_status(rf_party_get(&party, s, other->staff_id), RF_ENOTFOUND);
    assert_status(rf_party_find_external(&party, s, other->own_external_id), RF_ENOTFOUND);
    rf_program *program = NULL;
    assert_status(rf_program_get(&program, s, other->program_id), RF_ENOTFOUND);
    assert_status(rf_program_find(&program, s, other->program_name), RF_ENOTFOUND);
    assert_null(program);
    rf_referral *r = NULL;
    assert_status(rf_referral_get(&r, s, other->closed_id), RF_ENOTFOUND);
    assert_status(rf_referral_get(&r, s, other->open_id), RF_ENOTFOUND);
    assert_null(r);
    rf_reward_rule *rule = NULL;
    assert_status(rf_reward_rule_get(&rule, s, other->rule_id), RF_ENOTFOUND);
    rf_reward_rule_iter *rules = NULL;
    assert_status(rf_reward_rule_list(&rules, s, other->program_id), RF_ENOTFOUND);
    assert_null(rules);
    rf_grant *grant = NULL;
    assert_status(rf_grant_get(&grant, s, other->grant_id), RF_ENOTFOUND);
    assert_null(grant);
    rf_task *task = NULL;
    assert_status(rf_task_get(&task, s, other->task_id), RF_ENOTFOUND);
    assert_null(task);
    rf_code_iter *codes = NULL;
    assert_status(rf_code_list(&codes, s, other->jane_id), RF_ENOTFOUND);
    rf_balance *balance = NULL;
    assert_status(rf_reward_balance(&balance, s, other->jane_id), RF_ENOTFOUND);
    assert_status(rf_reward_audit(&balance, s, other->jane_id), RF_ENOTFOUND);
    assert_null(balance);
    rf_referrer_view *view = NULL;
    assert_status(rf_referrer_view_open(&view, s, other->jane_id), RF_ENOTFOUND);
    assert_null(view);
    rf_template *tpl = NULL;
    assert_status(rf_template_get(&tpl, s, other->program_id, rf_template_name_at(0)), RF_ENOTFOUND);
    assert_null(tpl);
}

/* Both practices hold exactly what they held before. */
static void assert_both_unchanged(world *w, const char *north, const char *south)
{
    char *now_north = practice_snapshot(&w->north);
    char *now_south = practice_snapshot(&w->south);
    assert_string_equal(now_north, north);
    assert_string_equal(now_south, south);
    free(now_north);
    free(now_south);
}

static void by_id(void **state)
{
    world *w = *state;
    char *north = practice_snapshot(&w->north), *south = practice_snapshot(&w->south);
    BOTH(w, others_ids_find_nothing);
    assert_both_unchanged(w, north, south);
    free(north);
    free(south);
}

static void own_and_same_named(practice *me, practice *other)
{
    rf_store *s = me->fx.store;
    /* The external id both practices use finds the practice's own party. */
    rf_party *shared = NULL;
    assert_ok(rf_party_find_external(&shared, s, "pms-1"));
    assert_string_equal(rf_party_display_name(shared), "Sam Shared");
    for (size_t i = 0; i < other->id_count; i++) {
        assert_string_not_equal(rf_party_id(shared), other->ids[i]);
    }
    rf_party_free(shared);
    /* "jane-doe" is the practice's own code; the other's short code is unknown. */
    rf_code *code = NULL;
    assert_ok(rf_code_resolve(&code, s, "jane-doe"));
    assert_string_equal(rf_code_id(code), me->vanity_id);
    assert_string_equal(rf_code_owner_id(code), me->jane_id);
    rf_code_free(code);
    assert_ok(rf_code_lookup(&code, s, "JANE-DOE"));
    assert_string_equal(rf_code_id(code), me->vanity_id);
    rf_code_free(code);
    assert_status(rf_code_lookup(&code, s, other->short_text), RF_ENOTFOUND);
    assert_status(rf_code_resolve(&code, s, other->short_text), RF_ENOTFOUND);
    assert_null(code);
    assert_ok(rf_code_lookup(&code, s, me->short_text));
    assert_string_equal(rf_code_id(code), me->short_id);
    rf_code_free(code);
}

static void codes_and_external_ids(void **state)
{
    world *w = *state;
    char *north = practice_snapshot(&w->north), *south = practice_snapshot(&w->south);
    BOTH(w, own_and_same_named);
    assert_both_unchanged(w, north, south);
    free(north);
    free(south);
}

static void lists_show_only_their_own(void **state)
{
    world *w = *state;
    /* Ids were collected from each practice's own lists: none may be in both. */
    for (size_t i = 0; i < w->north.id_count; i++) {
        for (size_t j = 0; j < w->south.id_count; j++) {
            assert_string_not_equal(w->north.ids[i], w->south.ids[j]);
        }
    }
    assert_shows_none_of(&w->north, &w->south);
    assert_shows_none_of(&w->south, &w->north);
    practice *ps[] = {&w->north, &w->south};
    for (int k = 0; k < 2; k++) {
        rf_referral_iter *it = NULL;
        rf_referral *r = NULL;
        int n = 0;
        assert_ok(rf_referral_list(&it, ps[k]->fx.store, NULL));
        while (rf_referral_iter_next(&r, it) == RF_OK) {
            assert_string_equal(rf_referral_program_id(r), ps[k]->program_id);
            rf_referral_free(r);
            n++;
        }
        rf_referral_iter_free(it);
        assert_int_equal(n, ps[k]->referrals);
        rf_program_iter *pit = NULL;
        rf_program *p = NULL;
        n = 0;
        assert_ok(rf_program_list(&pit, ps[k]->fx.store));
        while (rf_program_iter_next(&p, pit) == RF_OK) {
            assert_string_equal(rf_program_name(p), ps[k]->program_name);
            rf_program_free(p);
            n++;
        }
        rf_program_iter_free(pit);
        assert_int_equal(n, 1);
    }
}

/* The journal of a practice is its own: 1, 2, ... up to its last sequence,
 * naming none of the other's records. */
static void own_journal(practice *me, practice *other)
{
    int64_t last = -1, expect = 1;
    assert_ok(rf_journal_last_seq(&last, me->fx.store));
    rf_journal_iter *it = NULL;
    rf_event *ev = NULL;
    assert_ok(rf_journal_read(&it, me->fx.store, 0));
    while (rf_journal_iter_next(&ev, it) == RF_OK) {
        assert_int_equal(rf_event_seq(ev), expect++);
        const char *fields[] = {rf_event_subject_id(ev), rf_event_object_id(ev), rf_event_data(ev)};
        for (size_t f = 0; f < 3; f++) {
            for (size_t i = 0; fields[f] != NULL && i < other->id_count; i++) {
                assert_null(strstr(fields[f], other->ids[i]));
            }
        }
        rf_event_free(ev);
    }
    rf_journal_iter_free(it);
    assert_int_equal(expect - 1, last);
    /* Reading on from the middle stays in the practice's own sequence. */
    assert_ok(rf_journal_read(&it, me->fx.store, last - 1));
    assert_ok(rf_journal_iter_next(&ev, it));
    assert_int_equal(rf_event_seq(ev), last);
    rf_event_free(ev);
    assert_status(rf_journal_iter_next(&ev, it), RF_ITEROVER);
    rf_journal_iter_free(it);
}

static void journals_are_their_own(void **state)
{
    world *w = *state;
    BOTH(w, own_journal);
    int64_t north = 0, south = 0;
    assert_ok(rf_journal_last_seq(&north, w->north.fx.store));
    assert_ok(rf_journal_last_seq(&south, w->south.fx.store));
    /* South made two referrals more, so its sequence is longer: they are counted apart. */
    assert_true(south > north);
}

static int is_own(const practice *p, const char *id)
{
    for (size_t i = 0; i < p->id_count; i++) {
        if (strcmp(p->ids[i], id) == 0) {
            return 1;
        }
    }
    return 0;
}

static void drains_hand_out_only_their_own(void **state)
{
    world *w = *state;
    char *south = practice_snapshot(&w->south);
    rf_task *handed[TENANCY_MAX_IDS];
    rf_time later = w->north.fx.now + 30 * DAY;
    size_t n = drain(&w->north.fx, w->north.fx.store, later, RF_TASK_KIND_UNSET, handed, TENANCY_MAX_IDS);
    assert_true(n > 0 && n < TENANCY_MAX_IDS);
    for (size_t i = 0; i < n; i++) {
        /* Tasks the drain made (asks and SLA breaches that fell due) are the practice's too. */
        rf_task *t = NULL;
        assert_ok(rf_task_get(&t, w->north.fx.store, rf_task_id(handed[i])));
        rf_task_free(t);
        assert_status(rf_task_get(&t, w->south.fx.store, rf_task_id(handed[i])), RF_ENOTFOUND);
        assert_false(is_own(&w->south, rf_task_id(handed[i])));
        /* The other practice cannot report on a task it was never handed. */
        assert_status(rf_task_sent(w->south.fx.store, rf_task_id(handed[i]), rf_task_lease_token(handed[i])),
                      RF_ENOTFOUND);
    }
    /* Leasing north's tasks left every one of south's alone, and south's drain gets its own. */
    char *after = practice_snapshot(&w->south);
    assert_string_equal(after, south);
    free(after);
    rf_task *theirs[TENANCY_MAX_IDS];
    size_t m = drain(&w->south.fx, w->south.fx.store, later, RF_TASK_KIND_UNSET, theirs, TENANCY_MAX_IDS);
    assert_true(m > 0 && m < TENANCY_MAX_IDS);
    for (size_t i = 0; i < m; i++) {
        assert_false(is_own(&w->north, rf_task_id(theirs[i])));
        for (size_t j = 0; j < n; j++) {
            assert_string_not_equal(rf_task_id(theirs[i]), rf_task_id(handed[j]));
        }
    }
    free_tasks(handed, n);
    free_tasks(theirs, m);
    free(south);
}

static void kpis_count_their_own(void **state)
{
    world *w = *state;
    practice *ps[] = {&w->north, &w->south};
    for (int k = 0; k < 2; k++) {
        rf_kpi_filter f = RF_KPI_FILTER_INIT;
        f.from = T0 - 365 * DAY;
        f.to = T0 + 365 * DAY;
        rf_kpi_report *report = NULL;
        assert_ok(rf_kpi_compute(&report, ps[k]->fx.store, &f));
        assert_int_equal(rf_kpi_report_numerator(report, RF_KPI_RECEIVED), ps[k]->referrals);
        rf_kpi_report_free(report);
        /* A filter naming the other practice's programme or staff is refused or finds nothing. */
        f.program_id = ps[1 - k]->program_id;
        rf_status rc = rf_kpi_compute(&report, ps[k]->fx.store, &f);
        if (rc == RF_OK) {
            assert_int_equal(rf_kpi_report_numerator(report, RF_KPI_RECEIVED), 0);
        } else {
            assert_int_equal(rc, RF_ENOTFOUND);
            assert_null(report);
        }
        rf_kpi_report_free(report);
    }
}

/* --- changing --------------------------------------------------------------- */

static void cannot_touch_the_others(practice *me, practice *other)
{
    fixture *fx = &me->fx;
    rf_store *s = fx->store;
    rf_referral *r = NULL;
    rf_advance_options ao = RF_ADVANCE_OPTIONS_INIT;
    ao.reason = "test";
    assert_status(rf_referral_advance(&r, s, other->open_id, RF_REFERRAL_ACCEPTED, &ao), RF_ENOTFOUND);
    assert_status(rf_referral_advance(&r, s, other->closed_id, RF_REFERRAL_ENTERED_IN_ERROR, &ao),
                  RF_ENOTFOUND);
    assert_status(rf_referral_receive_document(&r, s, other->open_id, "letter"), RF_ENOTFOUND);
    rf_referral_options ro = RF_REFERRAL_OPTIONS_INIT;
    ro.program_id = me->program_id;
    ro.referee_id = other->jane_id;
    ro.referrer_id = me->jane_id;
    ro.source = RF_SOURCE_MANUAL;
    assert_status(rf_referral_create(&r, s, &ro), RF_ENOTFOUND);
    ro.program_id = other->program_id;
    ro.referee_id = me->staff_id;
    assert_status(rf_referral_create(&r, s, &ro), RF_ENOTFOUND);
    assert_null(r);
    int64_t redeemed = -1;
    assert_status(redeem(fx, &redeemed, other->grant_id, NULL, NULL, 100, "INV-2", NULL), RF_ENOTFOUND);
    assert_status(redeem(fx, &redeemed, NULL, other->jane_id, "EUR", 100, "INV-3", NULL), RF_ENOTFOUND);
    rf_reward_rule *rule = NULL;
    assert_status(rf_reward_rule_retire(&rule, s, other->rule_id), RF_ENOTFOUND);
    rf_reward_rule_options rule_o = RF_REWARD_RULE_OPTIONS_INIT;
    rule_o.program_id = other->program_id;
    rule_o.name = "sneaky";
    rule_o.recipient = RF_RECIPIENT_REFERRER;
    rule_o.kind = RF_REWARD_ACCOUNT_CREDIT;
    rule_o.trigger = RF_REFERRAL_CLOSED;
    rule_o.amount = 1000;
    rule_o.currency = "EUR";
    assert_status(rf_reward_rule_add(&rule, s, &rule_o), RF_ENOTFOUND);
    assert_null(rule);
    assert_status(rf_task_sent(s, other->task_id, "lease"), RF_ENOTFOUND);
    assert_status(rf_task_acked(s, other->task_id), RF_ENOTFOUND);
    assert_status(rf_task_failed(s, other->task_id, "lease", "no"), RF_ENOTFOUND);
    assert_status(rf_task_cancel(s, other->task_id, "no"), RF_ENOTFOUND);
    assert_status(rf_task_set_outcome(s, other->task_id, RF_ASK_SHARED), RF_ENOTFOUND);
    rf_code *code = NULL;
    assert_status(rf_code_revoke(&code, s, other->short_text, "no", NULL), RF_ENOTFOUND);
    assert_status(rf_code_use(&code, s, other->short_text, NULL), RF_ENOTFOUND);
    assert_status(rf_code_issue(&code, s, other->jane_id, NULL), RF_ENOTFOUND);
    assert_null(code);
    rf_touch *touch = NULL;
    assert_status(rf_touch_add(&touch, s, other->short_text, "visitor-2", NULL), RF_ENOTFOUND);
    assert_null(touch);
    rf_client_event *ev = NULL;
    rf_client_event_options eo = event_options(other->jane_id, RF_CLIENT_EVENT_NPS, 10, NULL);
    assert_status(rf_client_event_add(&ev, s, &eo), RF_ENOTFOUND);
    assert_null(ev);
    rf_party *party = NULL;
    rf_party_options po = RF_PARTY_OPTIONS_INIT;
    po.display_name = "Renamed";
    assert_status(rf_party_update(&party, s, other->jane_id, &po), RF_ENOTFOUND);
    assert_null(party);
    rf_program *program = NULL;
    rf_program_options pro = RF_PROGRAM_OPTIONS_INIT;
    pro.window_days = 7;
    assert_status(rf_program_update(&program, s, other->program_id, &pro), RF_ENOTFOUND);
    assert_null(program);
    rf_template *tpl = NULL;
    rf_template_options to = RF_TEMPLATE_OPTIONS_INIT;
    to.program_id = other->program_id;
    to.name = rf_template_name_at(0);
    to.body = "Hello";
    assert_status(rf_template_save(&tpl, s, &to), RF_ENOTFOUND);
    assert_null(tpl);
}

static void changing_the_others_records_is_refused(void **state)
{
    world *w = *state;
    char *north = practice_snapshot(&w->north), *south = practice_snapshot(&w->south);
    BOTH(w, cannot_touch_the_others);
    assert_both_unchanged(w, north, south);
    free(north);
    free(south);
}

/* The same idempotency keys were used in both practices while filling: each
 * practice applied its own call, and a retry in one replays only its own. */
static void idempotency_keys_are_per_practice(void **state)
{
    world *w = *state;
    char *north = practice_snapshot(&w->north), *south = practice_snapshot(&w->south);
    practice *ps[] = {&w->north, &w->south};
    for (int k = 0; k < 2; k++) {
        assert_int_equal(count_entries(&ps[k]->fx, NULL, ps[k]->grant_id, RF_LEDGER_REDEEMED), 1);
        int64_t redeemed = -1;
        assert_ok(redeem(&ps[k]->fx, &redeemed, ps[k]->grant_id, NULL, NULL, 100, "INV-1", "redeem-1"));
        assert_int_equal(redeemed, 100);
        /* The key names this practice's own request: with the other's grant it is a different one. */
        assert_status(
            redeem(&ps[k]->fx, &redeemed, ps[1 - k]->grant_id, NULL, NULL, 100, "INV-1", "redeem-1"),
            RF_ECONFLICT);
        assert_status(
            redeem(&ps[k]->fx, &redeemed, ps[1 - k]->grant_id, NULL, NULL, 100, "INV-1", "redeem-9"),
            RF_ENOTFOUND);
    }
    assert_both_unchanged(w, north, south);
    free(north);
    free(south);
}

#define TENANCY_CASE(fn) cmocka_unit_test_setup_teardown(fn, world_setup, world_teardown)

int main(int argc, char **argv)
{
    const char *backend = argc > 1 ? argv[1] : "sqlite";
    if (strcmp(backend, "postgres") == 0) {
#ifdef RF_WITH_POSTGRES
        if (pg_test_server() == NULL) {
            pg_test_skip_banner("the tenancy test",
                                "RF_TEST_POSTGRES is not set (scripts/test.sh starts a server)");
            return PG_SKIP;
        }
        on_postgres = 1;
#else
        printf(
            "!!! SKIPPED, NOT PASSED: the tenancy test on PostgreSQL\n"
            "!!! this build has no PostgreSQL backend (RF_WITH_POSTGRES is OFF; is libpq-dev installed?)\n");
        return 77;
#endif
    } else if (strcmp(backend, "sqlite") != 0) {
        fprintf(stderr, "usage: test_tenancy [sqlite|postgres]\n");
        return 2;
    }
    const struct CMUnitTest cases[] = {
        TENANCY_CASE(by_id),
        TENANCY_CASE(codes_and_external_ids),
        TENANCY_CASE(lists_show_only_their_own),
        TENANCY_CASE(journals_are_their_own),
        TENANCY_CASE(drains_hand_out_only_their_own),
        TENANCY_CASE(kpis_count_their_own),
        TENANCY_CASE(changing_the_others_records_is_refused),
        TENANCY_CASE(idempotency_keys_are_per_practice),
    };
    int failed = _cmocka_run_group_tests(on_postgres ? "tenancy/postgres" : "tenancy/sqlite", cases,
                                         sizeof cases / sizeof cases[0], NULL, NULL);
#ifdef RF_WITH_POSTGRES
    pg_test_finish();
#endif
    return failed != 0;
}
