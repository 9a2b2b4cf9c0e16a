/* Conformance: the KPI tables FUNNEL, LEADERBOARD and PRACTITIONERS on small
 * practices made by hand, every cell against numbers worked out here; the
 * table API itself (names, iterators, NULL arguments, refusals that change
 * nothing). CHANNELS, SOURCES and VARIANTS are in kpi_table_group_cases.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attribution_support.h"
#include "kpi_table_support.h"

#define FROM T0
#define TO (T0 + 10 * DAY)

/* --- FUNNEL --------------------------------------------------------------- */

enum { ASKS, SHARES, CLICKS, LEADS, SCHEDULED_, SEEN_, CLOSED_, STEPS };
static const char *const steps[STEPS] = {"asks", "shares", "clicks", "leads", "scheduled", "seen", "closed"};

static void assert_funnel(fixture *fx, const rf_kpi_filter *f, const int64_t n[STEPS])
{
    rf_kpi_table *t = table_of(fx, RF_KPI_TABLE_FUNNEL, f);
    assert_int_equal(rf_kpi_table_row_count(t), STEPS);
    for (int i = 0; i < STEPS; i++) {
        const rf_kpi_row *row = row_at(t, (size_t)i, steps[i], NULL);
        assert_count(row, RF_KPI_COLUMN_COUNT, n[i]);
        if (i == 0) {
            assert_cell(row, RF_KPI_COLUMN_CONVERSION, 0, 0.0, 0, 0);
        } else {
            assert_rate(row, RF_KPI_COLUMN_CONVERSION, n[i], n[i - 1]);
        }
    }
    rf_kpi_table_free(t);
}

/* The one ASK task of @client, which must exist. */
static rf_task *ask_of(fixture *fx, const rf_party *client)
{
    return only_task(fx, rf_party_id(client), NULL, RF_TASK_ASK);
}

static void send_task(fixture *fx, rf_task *const *drained, size_t n, const rf_party *client)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(rf_task_party_id(drained[i]), rf_party_id(client)) == 0) {
            assert_ok(rf_task_sent(fx->store, rf_task_id(drained[i]), rf_task_lease_token(drained[i])));
            return;
        }
    }
    fail_msg("no ask was handed out for %s", rf_party_id(client));
}

static void set_outcome(fixture *fx, const rf_party *client, rf_ask_outcome outcome)
{
    rf_task *t = ask_of(fx, client);
    assert_ok(rf_task_set_outcome(fx->store, rf_task_id(t), outcome));
    rf_task_free(t);
}

static rf_referral *lead_to(fixture *fx, const rf_program *p, const rf_party *referrer, rf_channel channel,
                            rf_referral_state target)
{
    table_referral how = {channel, RF_SOURCE_MANUAL, NULL, NULL, 0};
    rf_referral *r = table_refer(fx, p, rf_party_id(referrer), how);
    if (target != RF_REFERRAL_RECEIVED) {
        drive_to(fx, &r, target);
    }
    return r;
}

static void touch_through(fixture *fx, rf_time at, const rf_code *code, rf_channel channel)
{
    rf_touch *t = touch_at(fx, at, code, "visitor-1");
    assert_int_equal(rf_touch_channel(t), channel);
    rf_touch_free(t);
}

static void funnel_steps(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Advocates");
    rf_program_options quiet = RF_PROGRAM_OPTIONS_INIT;
    quiet.ask_enabled = 0;
    rf_program *q = program_with(fx, "Quiet", quiet);

    /* Before the period: an ask sent, a referral, a touch. */
    fx->now = T0 - 2 * DAY;
    rf_party *g = contactable_client(fx, "Gil Early", T0 - 30 * DAY);
    table_nps(fx, rf_party_id(g), 10);
    assert_int_equal(deliver_all(fx, RF_TASK_ASK), 1);
    rf_referral_free(lead_to(fx, p, g, RF_CHANNEL_LINK, RF_REFERRAL_CLOSED));
    rf_code *link = code_for(fx, g, RF_CHANNEL_LINK, rf_program_id(p));
    rf_code *sms = code_for(fx, g, RF_CHANNEL_SMS, rf_program_id(p));
    rf_code *card = code_for(fx, g, RF_CHANNEL_CARD, rf_program_id(q));
    touch_through(fx, T0 - DAY, link, RF_CHANNEL_LINK);

    /* In the period: six asks — four sent (two shared or referred, one
     * declined, one silent), one never sent but given an outcome, one
     * suppressed (no consent to contact). */
    fx->now = T0 + HOUR;
    const char *names[5] = {"Ann Shares", "Ben Refers", "Cat Declines", "Dan Silent", "Eve Unsent"};
    rf_party *c[5];
    for (int i = 0; i < 5; i++) {
        c[i] = contactable_client(fx, names[i], T0 - 30 * DAY);
        table_nps(fx, rf_party_id(c[i]), 10);
    }
    person mute = {RF_PARTY_CLIENT, "fay@example.org", NULL, 0, RF_CHANNEL_UNSET, T0 - 30 * DAY};
    rf_party *fay = add_person(fx, "Fay Mute", mute);
    table_nps(fx, rf_party_id(fay), 10);
    rf_task *suppressed = ask_of(fx, fay);
    assert_int_equal(rf_task_get_state(suppressed), RF_TASK_SUPPRESSED);
    rf_task_free(suppressed);
    rf_task *drained[16];
    size_t n = drain(fx, fx->store, fx->now, RF_TASK_ASK, drained, 16);
    assert_int_equal(n, 5);
    for (int i = 0; i < 4; i++) {
        send_task(fx, drained, n, c[i]);
        rf_task *t = ask_of(fx, c[i]);
        assert_int_equal(rf_task_channel(t), RF_CHANNEL_EMAIL);
        rf_task_free(t);
    }
    free_tasks(drained, n);
    set_outcome(fx, c[0], RF_ASK_SHARED);
    set_outcome(fx, c[1], RF_ASK_REFERRED);
    set_outcome(fx, c[2], RF_ASK_DECLINED);
    set_outcome(fx, c[4], RF_ASK_SHARED);

    /* Referrals: five in Advocates (one on LINK), one in Quiet. */
    rf_referral *r[6] = {
        lead_to(fx, p, c[0], RF_CHANNEL_EMAIL, RF_REFERRAL_RECEIVED),
        lead_to(fx, p, c[0], RF_CHANNEL_EMAIL, RF_REFERRAL_SCHEDULED),
        lead_to(fx, p, c[1], RF_CHANNEL_EMAIL, RF_REFERRAL_SEEN),
        lead_to(fx, p, c[1], RF_CHANNEL_EMAIL, RF_REFERRAL_CLOSED),
        lead_to(fx, p, c[2], RF_CHANNEL_LINK, RF_REFERRAL_CLOSED),
        lead_to(fx, q, c[3], RF_CHANNEL_EMAIL, RF_REFERRAL_CLOSED),
    };
    /* Touches: two through the LINK code, one through SMS (Advocates), one
     * through CARD (Quiet); then one after the period. */
    touch_through(fx, T0 + 2 * HOUR, link, RF_CHANNEL_LINK);
    touch_through(fx, T0 + 3 * HOUR, link, RF_CHANNEL_LINK);
    touch_through(fx, T0 + 4 * HOUR, sms, RF_CHANNEL_SMS);
    touch_through(fx, T0 + 5 * HOUR, card, RF_CHANNEL_CARD);
    touch_through(fx, TO, link, RF_CHANNEL_LINK);

    rf_kpi_filter f = table_period(FROM, TO);
    const int64_t all[STEPS] = {4, 2, 4, 6, 5, 4, 3};
    assert_funnel(fx, &f, all);
    /* The programme filter applies to asks, touches and leads alike. */
    f.program_id = rf_program_id(p);
    const int64_t advocates[STEPS] = {4, 2, 3, 5, 4, 3, 2};
    assert_funnel(fx, &f, advocates);
    f.program_id = rf_program_id(q);
    const int64_t quiet_steps[STEPS] = {0, 0, 1, 1, 1, 1, 1};
    assert_funnel(fx, &f, quiet_steps);
    /* The channel filter too: asks went by e-mail. */
    f = table_period(FROM, TO);
    f.channel = RF_CHANNEL_EMAIL;
    const int64_t email[STEPS] = {4, 2, 0, 5, 4, 3, 2};
    assert_funnel(fx, &f, email);
    f.channel = RF_CHANNEL_LINK;
    const int64_t by_link[STEPS] = {0, 0, 2, 1, 1, 1, 1};
    assert_funnel(fx, &f, by_link);
    /* Source and practitioner are about referrals: asks and touches stay. */
    f = table_period(FROM, TO);
    f.source = RF_SOURCE_INTAKE;
    const int64_t intake[STEPS] = {4, 2, 4, 0, 0, 0, 0};
    assert_funnel(fx, &f, intake);
    /* The earlier period holds the earlier ask, touch and referral; an empty one nothing. */
    f = table_period(T0 - 3 * DAY, FROM);
    const int64_t before[STEPS] = {1, 0, 1, 1, 1, 1, 1};
    assert_funnel(fx, &f, before);
    f = table_period(T0 + 100 * DAY, T0 + 101 * DAY);
    const int64_t none[STEPS] = {0, 0, 0, 0, 0, 0, 0};
    assert_funnel(fx, &f, none);

    for (int i = 0; i < 6; i++) {
        rf_referral_free(r[i]);
    }
    for (int i = 0; i < 5; i++) {
        rf_party_free(c[i]);
    }
    rf_party_free(fay);
    rf_party_free(g);
    rf_code_free(link);
    rf_code_free(sms);
    rf_code_free(card);
    rf_program_free(q);
    rf_program_free(p);
}

/* --- LEADERBOARD ---------------------------------------------------------- */

static rf_party *referrer(fixture *fx, const char *name, int named)
{
    person who = {RF_PARTY_CLIENT, NULL, NULL, named ? RF_CONSENT_NAMED : 0, RF_CHANNEL_UNSET, T0 - 90 * DAY};
    return add_person(fx, name, who);
}

/* @made referrals by @who in the period, the first @closed of them CLOSED. */
static void made(fixture *fx, const rf_program *p, const rf_party *who, int n, int closed)
{
    for (int i = 0; i < n; i++) {
        rf_referral_free(
            lead_to(fx, p, who, RF_CHANNEL_UNSET, i < closed ? RF_REFERRAL_CLOSED : RF_REFERRAL_ACCEPTED));
    }
}

typedef struct ranked {
    const rf_party *who;
    const char *label;
    int64_t made, closed;
} ranked;

static void assert_board(fixture *fx, unsigned top, const ranked *want, size_t n)
{
    rf_kpi_filter f = table_period(FROM, TO);
    f.top = top;
    rf_kpi_table *t = table_of(fx, RF_KPI_TABLE_LEADERBOARD, &f);
    assert_int_equal(rf_kpi_table_row_count(t), n);
    for (size_t i = 0; i < n; i++) {
        const rf_kpi_row *row = row_at(t, i, rf_party_id(want[i].who), want[i].label);
        assert_count(row, RF_KPI_COLUMN_COUNT, want[i].made);
        assert_count(row, RF_KPI_COLUMN_CLOSED, want[i].closed);
    }
    rf_kpi_table_free(t);
}

static void leaderboard_order_ties_top_and_names(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Advocates");
    rf_party *jane = referrer(fx, "Jane van Doe", 1), *ada = referrer(fx, "ada lovelace", 0),
             *emile = referrer(fx, "Émile  Zola", 0), *cher = referrer(fx, "Cher", 0),
             *bob = referrer(fx, "Bob Named", 1), *olga = referrer(fx, " olga ", 0);
    /* Before the period: Cher's first referral, not counted. */
    fx->now = T0 - DAY;
    made(fx, p, cher, 1, 1);
    fx->now = T0 + HOUR;
    made(fx, p, jane, 3, 1);
    made(fx, p, ada, 3, 2);
    made(fx, p, emile, 2, 0);
    made(fx, p, cher, 2, 0);
    made(fx, p, olga, 1, 0);
    made(fx, p, bob, 1, 0);
    /* Bob's second was entered in error: it never happened. */
    rf_referral *eie = lead_to(fx, p, bob, RF_CHANNEL_UNSET, RF_REFERRAL_RECEIVED);
    assert_ok(advance_to(fx, &eie, RF_REFERRAL_ENTERED_IN_ERROR));
    rf_referral_free(eie);

    /* Made, then closed, then id: Émile and Cher tie on both. */
    int emile_first = strcmp(rf_party_id(emile), rf_party_id(cher)) < 0;
    int bob_first = strcmp(rf_party_id(bob), rf_party_id(olga)) < 0;
    ranked want[6] = {
        {ada, "A. L.", 3, 2},
        {jane, "Jane van Doe", 3, 1},
        {emile_first ? emile : cher, emile_first ? "É. Z." : "C.", 2, 0},
        {emile_first ? cher : emile, emile_first ? "C." : "É. Z.", 2, 0},
        {bob_first ? bob : olga, bob_first ? "Bob Named" : "O.", 1, 0},
        {bob_first ? olga : bob, bob_first ? "O." : "Bob Named", 1, 0},
    };
    assert_board(fx, 0, want, 6);    /* the default top is 10 */
    assert_board(fx, 1000, want, 6); /* the most */
    assert_board(fx, 2, want, 2);
    assert_board(fx, 3, want, 3); /* a tie cut by the id */
    assert_board(fx, 1, want, 1);

    /* Refused: more than 1000 rows. */
    rf_kpi_filter f = table_period(FROM, TO);
    f.top = 1001;
    rf_kpi_table *t = (rf_kpi_table *)&f;
    assert_status(rf_kpi_table_compute(&t, fx->store, RF_KPI_TABLE_LEADERBOARD, &f), RF_EINVALID);
    assert_null(t);
    /* An empty period has no rows. */
    f = table_period(T0 + 100 * DAY, T0 + 101 * DAY);
    t = table_of(fx, RF_KPI_TABLE_LEADERBOARD, &f);
    assert_int_equal(rf_kpi_table_row_count(t), 0);
    assert_null(rf_kpi_table_row(t, 0));
    rf_kpi_table_free(t);

    rf_party *all[6] = {jane, ada, emile, cher, bob, olga};
    for (int i = 0; i < 6; i++) {
        rf_party_free(all[i]);
    }
    rf_program_free(p);
}

/* --- PRACTITIONERS -------------------------------------------------------- */

static rf_party *assigned(fixture *fx, const char *name, const rf_party *staff, rf_time first_visit)
{
    rf_party_options o = RF_PARTY_OPTIONS_INIT;
    o.kind = RF_PARTY_CLIENT;
    o.display_name = name;
    o.practitioner_id = staff != NULL ? rf_party_id(staff) : NULL;
    o.first_visit_at = first_visit;
    rf_party *c = NULL;
    assert_ok(rf_party_add(&c, fx->store, &o));
    return c;
}

static void visit(fixture *fx, const rf_party *client)
{
    rf_client_event_free(
        record_event(fx, rf_party_id(client), RF_CLIENT_EVENT_VISIT_COMPLETED, RF_UNSET, NULL));
}

static rf_referral *taken_by(fixture *fx, const rf_program *p, const rf_party *referrer_,
                             const rf_party *staff)
{
    table_referral how = {RF_CHANNEL_UNSET, RF_SOURCE_MANUAL, NULL, staff != NULL ? rf_party_id(staff) : NULL,
                          0};
    return table_refer(fx, p, rf_party_id(referrer_), how);
}

typedef struct staff_row {
    const rf_party *staff;
    int64_t clients, advocates, nps_sum, nps_n, made;
} staff_row;

static int by_staff_id(const void *a, const void *b)
{
    return strcmp(rf_party_id(((const staff_row *)a)->staff), rf_party_id(((const staff_row *)b)->staff));
}

static void assert_staff(fixture *fx, const rf_kpi_filter *f, staff_row *want, size_t n)
{
    qsort(want, n, sizeof *want, by_staff_id);
    rf_kpi_table *t = table_of(fx, RF_KPI_TABLE_PRACTITIONERS, f);
    assert_int_equal(rf_kpi_table_row_count(t), n);
    for (size_t i = 0; i < n; i++) {
        const rf_kpi_row *row =
            row_at(t, i, rf_party_id(want[i].staff), rf_party_display_name(want[i].staff));
        assert_count(row, RF_KPI_COLUMN_CLIENTS, want[i].clients);
        assert_count(row, RF_KPI_COLUMN_ADVOCATES, want[i].advocates);
        assert_rate(row, RF_KPI_COLUMN_ADVOCACY_RATE, want[i].advocates, want[i].clients);
        assert_rate(row, RF_KPI_COLUMN_MEAN_NPS, want[i].nps_sum, want[i].nps_n);
        assert_count(row, RF_KPI_COLUMN_COUNT, want[i].made);
    }
    rf_kpi_table_free(t);
}

static void practitioners_advocacy_and_nps(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Advocates");
    fx->now = T0 - 5 * DAY;
    person staff = {RF_PARTY_STAFF, NULL, NULL, 0, RF_CHANNEL_UNSET, 0};
    rf_party *grey = add_person(fx, "Dr Ada Grey", staff), *okafor = add_person(fx, "Dr Ben Okafor", staff),
             *nil = add_person(fx, "Dr Cy Nil", staff);
    /* Kim: Grey's, active by a visit in the period, referred only before it;
     * Lou: Grey's, not active, refers in the period with an NPS in it. */
    rf_party *kim = assigned(fx, "Kim", grey, T0 - 100 * DAY),
             *lou = assigned(fx, "Lou", grey, T0 - 200 * DAY);
    table_nps(fx, rf_party_id(kim), 10);
    rf_referral_free(taken_by(fx, p, kim, grey));

    fx->now = T0 + 2 * HOUR;
    /* Jo: Grey's, new in the period, two referrals and two scores;
     * Max: Okafor's, new, nothing else; Ned: nobody's. */
    rf_party *jo = assigned(fx, "Jo", grey, T0 + HOUR), *max = assigned(fx, "Max", okafor, T0 + HOUR),
             *ned = assigned(fx, "Ned", NULL, T0 + HOUR);
    visit(fx, kim);
    visit(fx, max);
    table_nps(fx, rf_party_id(jo), 9);
    table_nps(fx, rf_party_id(jo), 7);
    table_nps(fx, rf_party_id(lou), 4);
    table_nps(fx, rf_party_id(ned), 8);
    rf_referral_free(taken_by(fx, p, jo, grey));
    rf_referral_free(taken_by(fx, p, jo, grey));
    rf_referral_free(taken_by(fx, p, lou, okafor));
    rf_referral_free(taken_by(fx, p, ned, nil));

    rf_kpi_filter f = table_period(FROM, TO);
    staff_row all[3] = {{grey, 2, 1, 20, 3, 3}, {okafor, 1, 0, 0, 0, 0}, {nil, 0, 0, 0, 0, 0}};
    assert_staff(fx, &f, all, 3);
    /* One practitioner: their row alone, their referrals alone. */
    f.practitioner_id = rf_party_id(grey);
    staff_row only_grey = {grey, 2, 1, 20, 3, 2};
    assert_staff(fx, &f, &only_grey, 1);
    f.practitioner_id = rf_party_id(okafor);
    staff_row only_okafor = {okafor, 1, 0, 0, 0, 0};
    assert_staff(fx, &f, &only_okafor, 1);
    /* Before the period: Kim's score and referral, nobody active. */
    f = table_period(T0 - 6 * DAY, FROM);
    staff_row before[3] = {{grey, 0, 0, 10, 1, 1}, {okafor, 0, 0, 0, 0, 0}, {nil, 0, 0, 0, 0, 0}};
    assert_staff(fx, &f, before, 3);

    rf_party *people[8] = {grey, okafor, nil, kim, lou, jo, max, ned};
    for (int i = 0; i < 8; i++) {
        rf_party_free(people[i]);
    }
    rf_program_free(p);
}

/* --- the API -------------------------------------------------------------- */

static void names_and_null_arguments(void **state)
{
    fixture *fx = *state;
    static const char *const kinds[] = {"UNSET",    "FUNNEL",  "LEADERBOARD", "PRACTITIONERS",
                                        "CHANNELS", "SOURCES", "VARIANTS"};
    for (int k = 0; k < RF_KPI_TABLE_KIND_COUNT; k++) {
        assert_string_equal(rf_kpi_table_kind_name((rf_kpi_table_kind)k), kinds[k]);
    }
    assert_string_equal(rf_kpi_table_kind_name((rf_kpi_table_kind)RF_KPI_TABLE_KIND_COUNT), "UNSET");
    assert_string_equal(rf_kpi_table_kind_name((rf_kpi_table_kind)-1), "UNSET");
    static const char *const columns[] = {
        "UNSET",    "COUNT",   "CONVERSION",      "CLOSED",   "CLIENTS", "ADVOCATES", "ADVOCACY_RATE",
        "MEAN_NPS", "REVENUE", "TO_SCHEDULE_P50", "HIT_RATE", "LIFT",    "P_VALUE"};
    for (int c = 0; c < RF_KPI_COLUMNS; c++) {
        assert_string_equal(rf_kpi_column_name((rf_kpi_column)c), columns[c]);
    }
    assert_string_equal(rf_kpi_column_name((rf_kpi_column)RF_KPI_COLUMNS), "UNSET");

    rf_kpi_filter f = table_period(FROM, TO);
    rf_kpi_table *t = NULL;
    assert_status(rf_kpi_table_compute(NULL, fx->store, RF_KPI_TABLE_FUNNEL, &f), RF_EINVALID);
    assert_status(rf_kpi_table_compute(&t, NULL, RF_KPI_TABLE_FUNNEL, &f), RF_EINVALID);
    assert_null(t);
    assert_status(rf_kpi_table_compute(&t, fx->store, RF_KPI_TABLE_FUNNEL, NULL), RF_EINVALID);
    assert_null(t);
    rf_kpi_row_iter *it = (rf_kpi_row_iter *)&f;
    assert_status(rf_kpi_table_iter(&it, NULL), RF_EINVALID);
    assert_null(it);
    assert_status(rf_kpi_table_iter(NULL, NULL), RF_EINVALID);
    /* Getters read NULL as an empty table or row. */
    assert_int_equal(rf_kpi_table_kind_of(NULL), RF_KPI_TABLE_UNSET);
    assert_int_equal(rf_kpi_table_row_count(NULL), 0);
    assert_null(rf_kpi_table_row(NULL, 0));
    assert_int_equal(rf_kpi_table_has_column(NULL, RF_KPI_COLUMN_COUNT), 0);
    assert_null(rf_kpi_row_iter_next(NULL));
    assert_string_equal(rf_kpi_row_key(NULL), "");
    assert_string_equal(rf_kpi_row_label(NULL), "");
    double v = 5.0;
    assert_int_equal(rf_kpi_row_value(NULL, RF_KPI_COLUMN_COUNT, &v), 0);
    assert_true(v == 0.0);
    assert_int_equal(rf_kpi_row_numerator(NULL, RF_KPI_COLUMN_COUNT), 0);
    assert_int_equal(rf_kpi_row_denominator(NULL, RF_KPI_COLUMN_COUNT), 0);
    rf_kpi_table_free(NULL);
    rf_kpi_row_iter_free(NULL);
}

static void refusals_change_nothing(void **state)
{
    fixture *fx = *state;
    rf_program *p = outbox_program(fx, "Advocates");
    rf_party *ann = contactable_client(fx, "Ann Shares", T0 - 30 * DAY);
    rf_referral_free(lead_to(fx, p, ann, RF_CHANNEL_EMAIL, RF_REFERRAL_SCHEDULED));
    char *before = snapshot(fx->store);
    rf_kpi_filter good = table_period(FROM, TO);
    const int bad_kinds[] = {RF_KPI_TABLE_UNSET, RF_KPI_TABLE_KIND_COUNT, -1, 99};
    for (size_t i = 0; i < sizeof bad_kinds / sizeof bad_kinds[0]; i++) {
        rf_kpi_table *t = (rf_kpi_table *)&good;
        assert_status(rf_kpi_table_compute(&t, fx->store, (rf_kpi_table_kind)bad_kinds[i], &good),
                      RF_EINVALID);
        assert_null(t);
        assert_message_has("table kind");
    }
    struct {
        rf_kpi_filter f;
        rf_status status;
    } bad[6];
    for (int i = 0; i < 6; i++) {
        bad[i].f = good;
        bad[i].status = RF_EINVALID;
    }
    bad[0].f.to = FROM; /* an empty period */
    bad[1].f.from = RF_TIME_UNSET;
    bad[2].f.currency = "eur";
    bad[3].f.channel = (rf_channel)77;
    bad[4].f.program_id = "00000000-0000-7000-8000-000000000000";
    bad[4].status = RF_ENOTFOUND;
    bad[5].f.version = RF_KPI_FILTER_VERSION + 1;
    for (int k = RF_KPI_TABLE_FUNNEL; k < RF_KPI_TABLE_KIND_COUNT; k++) {
        for (int i = 0; i < 6; i++) {
            rf_kpi_table *t = (rf_kpi_table *)&good;
            rf_status rc = rf_kpi_table_compute(&t, fx->store, (rf_kpi_table_kind)k, &bad[i].f);
            if (i == 5) {
                assert_true(rc != RF_OK); /* an unknown struct version */
            } else {
                assert_status(rc, bad[i].status);
            }
            assert_null(t);
        }
    }
    assert_unchanged(fx->store, before);
    free(before);
    rf_party_free(ann);
    rf_program_free(p);
}

const struct CMUnitTest kpi_table_cases[] = {
    CASE(funnel_steps),
    CASE(leaderboard_order_ties_top_and_names),
    CASE(practitioners_advocacy_and_nps),
    CASE(names_and_null_arguments),
    CASE(refusals_change_nothing),
};
const size_t kpi_table_case_count = sizeof kpi_table_cases / sizeof kpi_table_cases[0];
