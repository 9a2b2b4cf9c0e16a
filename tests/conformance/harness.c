/* Fixtures and helpers of the conformance suite. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef RF_WITH_POSTGRES
#include "pg_support.h"
#endif

static void remove_files(const char *path)
{
    char side[600];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

static void sqlite_prepare(fixture *fx, unsigned n)
{
    snprintf(fx->path, sizeof fx->path, "%s/conformance-%s-%ld-%u.db", RF_TEST_TMPDIR, current_backend->name,
             (long)getpid(), n);
    remove_files(fx->path);
}

static void sqlite_cleanup(fixture *fx)
{
    remove_files(fx->path);
}

#ifdef RF_WITH_POSTGRES
/* A database per case, as a new file per case for SQLite: a case can neither
 * see nor leave anything for the next one, schema included. */
static void pg_dbname(char *out, size_t size, const fixture *fx)
{
    /* The case's own dbname comes last, after RF_TEST_POSTGRES (and libpq takes the last one too). */
    const char *name = NULL;
    for (const char *at = strstr(fx->path, "dbname="); at != NULL; at = strstr(at + 1, "dbname=")) {
        name = at;
    }
    assert_non_null(name);
    snprintf(out, size, "%s", name + strlen("dbname="));
}

static void pg_prepare(fixture *fx, unsigned n)
{
    char dbname[64];
    snprintf(dbname, sizeof dbname, "rf_conformance_%ld_%u", (long)getpid(), n);
    assert_int_equal(pg_test_create(fx->path, sizeof fx->path, dbname), 0);
}

static void pg_cleanup(fixture *fx)
{
    char dbname[64];
    pg_dbname(dbname, sizeof dbname, fx);
    assert_int_equal(pg_test_release(dbname), 0);
}
#endif

/* Every backend must pass every case. Later backends are added here. */
const backend_entry conformance_backends[] = {
    {"memory", 0, NULL, NULL},
    {"sqlite", 1, sqlite_prepare, sqlite_cleanup},
#ifdef RF_WITH_POSTGRES
    {"postgres", 1, pg_prepare, pg_cleanup},
#endif
};
const size_t conformance_backend_count = sizeof conformance_backends / sizeof conformance_backends[0];
const backend_entry *current_backend = &conformance_backends[0];

const backend_entry *conformance_backend(const char *name)
{
    for (size_t i = 0; i < conformance_backend_count; i++) {
        if (strcmp(conformance_backends[i].name, name) == 0) {
            return &conformance_backends[i];
        }
    }
    return NULL;
}

static rf_time fixture_clock(void *ctx)
{
    return ((fixture *)ctx)->now;
}

static void open_store(fixture *fx)
{
    rf_store_options opts = RF_STORE_OPTIONS_INIT;
    opts.practice = "elm-street";
    opts.phone_region = "44";
    opts.clock = fixture_clock;
    opts.clock_ctx = fx;
    /* Every handle on a database needs its own seed, reopened ones too. */
    opts.seed = 42 + (uint64_t)fx->opened++;
    char uri[600];
    if (current_backend->has_file) {
        snprintf(uri, sizeof uri, "%s:%s", current_backend->name, fx->path);
    } else {
        snprintf(uri, sizeof uri, "%s:", current_backend->name);
    }
    assert_ok(rf_store_open(&fx->store, uri, &opts));
}

int fx_setup(void **state)
{
    static unsigned counter;
    fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    fx->now = T0;
    fx->backend = current_backend->name;
    if (current_backend->prepare != NULL) {
        current_backend->prepare(fx, ++counter);
    }
    open_store(fx);
    *state = fx;
    return 0;
}

int fx_teardown(void **state)
{
    fixture *fx = *state;
    rf_store_free(fx->store);
    if (fx->path[0] != '\0' && current_backend->cleanup != NULL) {
        current_backend->cleanup(fx);
    }
    free(fx);
    return 0;
}

void fx_reopen(fixture *fx)
{
    rf_store_free(fx->store);
    fx->store = NULL;
    open_store(fx);
}

rf_store *fx_open_second(fixture *fx)
{
    assert_true(current_backend->has_file);
    rf_store *first = fx->store;
    open_store(fx);
    rf_store *second = fx->store;
    fx->store = first;
    return second;
}

void reopen_if_file(fixture *fx)
{
    if (current_backend->has_file) {
        fx_reopen(fx);
        fx->now += DAY;
    }
}

void assert_message_has(const char *needle)
{
    const char *message = rf_error_last()->message;
    if (strstr(message, needle) == NULL) {
        print_error("message \"%s\" does not contain \"%s\"\n", message, needle);
        fail();
    }
}

/* --- snapshots -------------------------------------------------------------- */

typedef struct buffer {
    char *data;
    size_t len, cap;
} buffer;

__attribute__((format(printf, 2, 3))) static void put(buffer *b, const char *fmt, ...);
static void put(buffer *b, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        assert_true(n >= 0);
        if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        b->cap = b->cap * 2 + (size_t)n + 64;
        b->data = realloc(b->data, b->cap);
        assert_non_null(b->data);
    }
}

#define S(x) ((x) != NULL ? (x) : "-")

static void put_codes(buffer *b, rf_store *store, const char *owner_id)
{
    rf_code_iter *it = NULL;
    rf_code *c = NULL;
    assert_ok(rf_code_list(&it, store, owner_id));
    while (rf_code_iter_next(&c, it) == RF_OK) {
        put(b, "  code %s %s %s %d %d %s %d %lld %lld %lld %d %d %s\n", rf_code_id(c), rf_code_text(c),
            rf_code_owner_id(c), rf_code_get_style(c), rf_code_channel(c), S(rf_code_program_id(c)),
            rf_code_max_uses(c), (long long)rf_code_created_at(c), (long long)rf_code_expires_at(c),
            (long long)rf_code_revoked_at(c), rf_code_uses(c), rf_code_max_uses(c),
            S(rf_code_revoke_reason(c)));
        rf_code_free(c);
    }
    rf_code_iter_free(it);
}

static void put_referrals(buffer *b, rf_store *store)
{
    rf_program_iter *pit = NULL;
    rf_program *prog = NULL;
    assert_ok(rf_program_list(&pit, store));
    while (rf_program_iter_next(&prog, pit) == RF_OK) {
        put(b, "program %s %s %d %d %d %d %d %d %d %d %d %d %lld", rf_program_id(prog), rf_program_name(prog),
            rf_program_window_days(prog), rf_program_attribution(prog),
            rf_program_excludes_existing_clients(prog), rf_program_code_style(prog),
            rf_program_auto_issues_code(prog), rf_program_fraud_action(prog), rf_program_velocity_cap(prog),
            rf_program_velocity_window_days(prog), rf_program_claws_back(prog),
            rf_program_compliance_mode(prog), (long long)rf_program_updated_at(prog));
        put(b, " ask %d %d %d %d %d %d %d %d %d %d %d sla %d %d\n", rf_program_ask_enabled(prog),
            rf_program_ask_nps_threshold(prog), rf_program_ask_after_first_visit_days(prog),
            rf_program_ask_on_anniversary(prog), rf_program_ask_on_milestone(prog),
            rf_program_ask_on_discharge(prog), rf_program_ask_on_praise(prog),
            rf_program_ask_on_payment(prog), rf_program_ask_cooldown_days(prog),
            rf_program_ask_yearly_cap(prog), rf_program_new_client_days(prog),
            rf_program_sla_urgent_hours(prog), rf_program_sla_routine_hours(prog));
        rf_program_free(prog);
    }
    rf_program_iter_free(pit);

    rf_referral_iter *it = NULL;
    rf_referral *r = NULL;
    assert_ok(rf_referral_list(&it, store, NULL));
    while (rf_referral_iter_next(&r, it) == RF_OK) {
        put(b,
            "referral %s %s %s %s %s %d %d %d %s %s %s %s %d %d %s %d %d %s %s %s %s %s %d %d %lld %lld %d "
            "%d %lld",
            rf_referral_id(r), rf_referral_program_id(r), S(rf_referral_referrer_id(r)),
            rf_referral_referee_id(r), S(rf_referral_target_id(r)), rf_referral_direction(r),
            rf_referral_get_source(r), rf_referral_channel(r), S(rf_referral_code_id(r)),
            S(rf_referral_touch_id(r)), S(rf_referral_evidence(r)),
            rf_referral_state_name(rf_referral_get_state(r)), rf_referral_held_state(r),
            rf_referral_care_level(r), S(rf_referral_reason(r)), rf_referral_urgency(r),
            rf_referral_fraud_flags(r), S(rf_referral_preferred_timing(r)), S(rf_referral_practitioner_id(r)),
            S(rf_referral_variant(r)), S(rf_referral_documents_required(r)),
            S(rf_referral_documents_received(r)), rf_referral_documents_complete_at_receipt(r),
            rf_referral_reschedules(r), (long long)rf_referral_appointment_at(r),
            (long long)rf_referral_first_appointment_at(r), rf_referral_no_shows(r), rf_referral_visits(r),
            (long long)rf_referral_updated_at(r));
        for (int s = 1; s < RF_REFERRAL_STATE_COUNT; s++) {
            put(b, " %lld", (long long)rf_referral_reached_at(r, (rf_referral_state)s));
        }
        put(b, "\n");
        rf_referral_free(r);
    }
    rf_referral_iter_free(it);
}

/* Rules of every programme, then every grant, then the whole ledger. */
static void put_rewards(buffer *b, rf_store *store)
{
    rf_program_iter *pit = NULL;
    rf_program *prog = NULL;
    assert_ok(rf_program_list(&pit, store));
    while (rf_program_iter_next(&prog, pit) == RF_OK) {
        rf_reward_rule_iter *it = NULL;
        rf_reward_rule *r = NULL;
        assert_ok(rf_reward_rule_list(&it, store, rf_program_id(prog)));
        while (rf_reward_rule_iter_next(&r, it) == RF_OK) {
            put(b, "rule %s %s %s %d %d %d %lld %s %d %s %d %d %d %d %d %d %lld\n", rf_reward_rule_id(r),
                rf_reward_rule_program_id(r), rf_reward_rule_name(r), rf_reward_rule_recipient(r),
                rf_reward_rule_trigger(r), rf_reward_rule_kind(r), (long long)rf_reward_rule_amount(r),
                S(rf_reward_rule_currency(r)), rf_reward_rule_percent(r), S(rf_reward_rule_item(r)),
                rf_reward_rule_expiry_days(r), rf_reward_rule_hold_days(r), rf_reward_rule_cap_count(r),
                rf_reward_rule_cap_days(r), rf_reward_rule_tier(r), rf_reward_rule_active(r),
                (long long)rf_reward_rule_created_at(r));
            rf_reward_rule_free(r);
        }
        rf_reward_rule_iter_free(it);
        rf_program_free(prog);
    }
    rf_program_iter_free(pit);

    rf_grant_iter *git = NULL;
    rf_grant *g = NULL;
    assert_ok(rf_grant_list(&git, store, NULL));
    while (rf_grant_iter_next(&g, git) == RF_OK) {
        put(b, "grant %s %s %s %s %s %d %d %d %d %lld %s %lld %lld %d %s %d %d %lld %lld %lld %lld %lld\n",
            rf_grant_id(g), rf_grant_rule_id(g), rf_grant_program_id(g), rf_grant_referral_id(g),
            rf_grant_recipient_id(g), rf_grant_recipient(g), rf_grant_kind(g), rf_grant_rule_kind(g),
            rf_grant_compliance(g), (long long)rf_grant_amount(g), S(rf_grant_currency(g)),
            (long long)rf_grant_units(g), (long long)rf_grant_remaining(g), rf_grant_percent(g),
            S(rf_grant_item(g)), rf_grant_tier_count(g), rf_grant_get_status(g),
            (long long)rf_grant_issued_at(g), (long long)rf_grant_release_at(g),
            (long long)rf_grant_released_at(g), (long long)rf_grant_expires_at(g),
            (long long)rf_grant_closed_at(g));
        rf_grant_free(g);
    }
    rf_grant_iter_free(git);

    rf_ledger_iter *lit = NULL;
    rf_ledger_entry *e = NULL;
    assert_ok(rf_ledger_list(&lit, store, NULL));
    while (rf_ledger_iter_next(&e, lit) == RF_OK) {
        put(b, "entry %s %s %s %d %lld %s %lld %lld %s %lld %lld\n", rf_ledger_entry_id(e),
            rf_ledger_entry_grant_id(e), rf_ledger_entry_party_id(e), rf_ledger_entry_type(e),
            (long long)rf_ledger_entry_amount(e), S(rf_ledger_entry_currency(e)),
            (long long)rf_ledger_entry_pending_delta(e), (long long)rf_ledger_entry_available_delta(e),
            S(rf_ledger_entry_reference(e)), (long long)rf_ledger_entry_seq(e),
            (long long)rf_ledger_entry_at(e));
        rf_ledger_entry_free(e);
    }
    rf_ledger_iter_free(lit);
}

/* Every client event, then every task, in the order they were recorded. */
static void put_outbox(buffer *b, rf_store *store)
{
    rf_client_event_iter *eit = NULL;
    rf_client_event *e = NULL;
    assert_ok(rf_client_event_list(&eit, store, NULL));
    while (rf_client_event_iter_next(&e, eit) == RF_OK) {
        put(b, "event %s %s %s %s %d %s %lld %s %lld %lld\n", rf_client_event_id(e),
            rf_client_event_party_id(e), rf_client_event_type_name(rf_client_event_get_type(e)),
            S(rf_client_event_practitioner_id(e)), rf_client_event_value(e), S(rf_client_event_label(e)),
            (long long)rf_client_event_amount(e), S(rf_client_event_currency(e)),
            (long long)rf_client_event_at(e), (long long)rf_client_event_recorded_at(e));
        rf_client_event_free(e);
    }
    rf_client_event_iter_free(eit);

    rf_task_iter *tit = NULL;
    rf_task *t = NULL;
    assert_ok(rf_task_list(&tit, store, NULL));
    while (rf_task_iter_next(&t, tit) == RF_OK) {
        put(b, "task %s %s %s %s %s %s %s %s %d %s %s %s %d %s %lld %lld %lld %lld %lld %lld\n",
            rf_task_id(t), rf_task_key(t), rf_task_kind_name(rf_task_get_kind(t)),
            rf_task_state_name(rf_task_get_state(t)), S(rf_task_party_id(t)), S(rf_task_referral_id(t)),
            S(rf_task_program_id(t)), S(rf_task_template(t)), rf_task_channel(t), S(rf_task_data(t)),
            S(rf_task_lease_token(t)), S(rf_task_last_error(t)), rf_task_attempts(t),
            rf_ask_outcome_name(rf_task_outcome(t)), (long long)rf_task_due_at(t),
            (long long)rf_task_deadline_at(t), (long long)rf_task_lease_until(t),
            (long long)rf_task_sent_at(t), (long long)rf_task_closed_at(t), (long long)rf_task_created_at(t));
        rf_task_free(t);
    }
    rf_task_iter_free(tit);
}

char *reward_snapshot(rf_store *store)
{
    buffer b = {malloc(256), 0, 256};
    assert_non_null(b.data);
    b.data[0] = '\0';
    put_rewards(&b, store);
    return b.data;
}

char *snapshot(rf_store *store)
{
    buffer b = {malloc(256), 0, 256};
    assert_non_null(b.data);
    b.data[0] = '\0';
    rf_party_iter *it = NULL;
    rf_party *p = NULL;
    assert_ok(rf_party_list(&it, store, NULL));
    while (rf_party_iter_next(&p, it) == RF_OK) {
        put(&b, "party %s %s %s %s %s %s %s %s %d %d %s %s %lld %d %s %d %lld %lld\n", rf_party_id(p),
            rf_party_kind_name(rf_party_get_kind(p)), S(rf_party_external_id(p)), rf_party_display_name(p),
            S(rf_party_email(p)), S(rf_party_phone(p)), S(rf_party_email_key(p)), S(rf_party_phone_key(p)),
            rf_party_consent(p), rf_party_payer(p), S(rf_party_segment(p)), S(rf_party_practitioner_id(p)),
            (long long)rf_party_first_visit_at(p), rf_party_intake(p), S(rf_party_intake_detail(p)),
            rf_party_preferred_channel(p), (long long)rf_party_created_at(p),
            (long long)rf_party_updated_at(p));
        put_codes(&b, store, rf_party_id(p));
        rf_party_free(p);
    }
    rf_party_iter_free(it);
    put_referrals(&b, store);
    put_rewards(&b, store);
    put_outbox(&b, store);
    int64_t seq = -1;
    assert_ok(rf_journal_last_seq(&seq, store));
    put(&b, "journal %lld\n", (long long)seq);
    return b.data;
}

/* --- shorthands ------------------------------------------------------------- */

rf_party *add_party(fixture *fx, rf_party_kind kind, const char *name, const char *email, const char *phone)
{
    rf_party_options o = RF_PARTY_OPTIONS_INIT;
    o.kind = kind;
    o.display_name = name;
    o.email = email;
    o.phone = phone;
    rf_party *p = NULL;
    assert_ok(rf_party_add(&p, fx->store, &o));
    return p;
}

rf_party *add_payer_party(fixture *fx, rf_party_kind kind, const char *name, rf_payer payer)
{
    rf_party_options o = RF_PARTY_OPTIONS_INIT;
    o.kind = kind;
    o.display_name = name;
    o.payer = payer;
    rf_party *p = NULL;
    assert_ok(rf_party_add(&p, fx->store, &o));
    return p;
}

rf_code *issue_code(fixture *fx, const char *owner_id, rf_code_style style)
{
    rf_code_options o = RF_CODE_OPTIONS_INIT;
    o.style = style;
    rf_code *c = NULL;
    assert_ok(rf_code_issue(&c, fx->store, owner_id, &o));
    return c;
}

int64_t last_seq(fixture *fx)
{
    int64_t seq = -1;
    assert_ok(rf_journal_last_seq(&seq, fx->store));
    return seq;
}

int count_events(fixture *fx, const char *type)
{
    rf_journal_iter *it = NULL;
    rf_event *ev = NULL;
    int n = 0;
    assert_ok(rf_journal_read(&it, fx->store, 0));
    while (rf_journal_iter_next(&ev, it) == RF_OK) {
        n += strcmp(rf_event_type(ev), type) == 0;
        rf_event_free(ev);
    }
    rf_journal_iter_free(it);
    return n;
}
