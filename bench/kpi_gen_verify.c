/*
 * kpi_gen_verify.c: reading the generated file back through the public API,
 * on a store handle of its own: referrals by state, channel, source and the
 * rest, then parties, grants, tasks and client events; and a digest of the
 * journal, to show that a seed gives the same file.
 */
#include "kpi_gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static rf_store *open_file(const char *path)
{
    rf_store_options so = RF_STORE_OPTIONS_INIT;
    so.practice = KPI_GEN_PRACTICE;
    char uri[4200];
    snprintf(uri, sizeof uri, "sqlite:%s", path);
    rf_store *store = NULL;
    rf_status rc = rf_store_open(&store, uri, &so);
    if (rc != RF_OK) {
        kpi_die("opening the file to read it back", rc);
    }
    return store;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* "label  count  share" rows for the non-zero counts of a table. */
static void print_table(const char *title, const char *const *names, const long *counts, int n, long total)
{
    printf("  %s\n", title);
    for (int i = 0; i < n; i++) {
        if (counts[i] != 0) {
            printf("    %-22s %12ld  %6.2f %%\n", names[i], counts[i],
                   total > 0 ? 100.0 * counts[i] / total : 0.0);
        }
    }
}

/* ---- referrals -------------------------------------------------------------------------------------- */

enum { CHANNELS = RF_CHANNEL_PORTAL + 1, SOURCES = RF_SOURCE_PARTNER + 1 };

typedef struct referral_tally {
    long total, state[RF_REFERRAL_STATE_COUNT], channel[CHANNELS], source[SOURCES], direction[3], urgency[3];
    long variant[3], flagged, complete, program[2], reached[RF_REFERRAL_STATE_COUNT];
} referral_tally;

static void count_referrals(rf_store *store, referral_tally *t, const char *advocates_id)
{
    rf_referral_iter *it = NULL;
    rf_status rc = rf_referral_list(&it, store, NULL);
    if (rc != RF_OK) {
        kpi_die("listing referrals", rc);
    }
    rf_referral *r = NULL;
    while ((rc = rf_referral_iter_next(&r, it)) == RF_OK) {
        t->total++;
        t->state[rf_referral_get_state(r)]++;
        t->channel[rf_referral_channel(r)]++;
        t->source[rf_referral_get_source(r)]++;
        t->direction[rf_referral_direction(r)]++;
        t->urgency[rf_referral_urgency(r)]++;
        const char *v = rf_referral_variant(r);
        t->variant[v == NULL ? 0 : strcmp(v, "A") == 0 ? 1 : 2]++;
        t->flagged += rf_referral_fraud_flags(r) != 0;
        t->complete += rf_referral_documents_complete_at_receipt(r);
        t->program[strcmp(rf_referral_program_id(r), advocates_id) == 0 ? 0 : 1]++;
        for (int s = 1; s < RF_REFERRAL_STATE_COUNT; s++) {
            t->reached[s] += rf_referral_reached_at(r, (rf_referral_state)s) != RF_TIME_NONE;
        }
        rf_referral_free(r);
    }
    if (rc != RF_ITEROVER) {
        kpi_die("reading referrals", rc);
    }
    rf_referral_iter_free(it);
}

static void print_referrals(const referral_tally *t)
{
    const char *states[RF_REFERRAL_STATE_COUNT], *channels[CHANNELS], *sources[SOURCES];
    for (int i = 0; i < RF_REFERRAL_STATE_COUNT; i++) {
        states[i] = rf_referral_state_name((rf_referral_state)i);
    }
    for (int i = 0; i < CHANNELS; i++) {
        channels[i] = i == 0 ? "(none)" : rf_channel_name((rf_channel)i);
    }
    for (int i = 0; i < SOURCES; i++) {
        sources[i] = i == 0 ? "(none: outbound)" : rf_referral_source_name((rf_referral_source)i);
    }
    static const char *const directions[] = {"UNSET", "INBOUND", "OUTBOUND"};
    static const char *const urgencies[] = {"UNSET", "ROUTINE", "URGENT"};
    static const char *const variants[] = {"(none)", "A", "B"};
    static const char *const programs[] = {"Client advocates", "GP partners"};
    printf("  referrals in the file: %ld\n", t->total);
    print_table("by state (now)", states, t->state, RF_REFERRAL_STATE_COUNT, t->total);
    print_table("ever reached", states, t->reached, RF_REFERRAL_STATE_COUNT, t->total);
    print_table("by channel", channels, t->channel, CHANNELS, t->total);
    print_table("by source", sources, t->source, SOURCES, t->total);
    print_table("by direction", directions, t->direction, 3, t->total);
    print_table("by urgency", urgencies, t->urgency, 3, t->total);
    print_table("by A/B variant", variants, t->variant, 3, t->total);
    print_table("by programme", programs, t->program, 2, t->total);
    printf("  flagged by a fraud guard %ld; documents complete at receipt %ld (%.1f %%)\n", t->flagged,
           t->complete, t->total > 0 ? 100.0 * t->complete / t->total : 0.0);
}

/* ---- the rest ----------------------------------------------------------------------------------------- */

static void count_parties(rf_store *store)
{
    long kinds[5] = {0};
    const char *names[5];
    rf_party_iter *it = NULL;
    rf_status rc = rf_party_list(&it, store, NULL);
    rf_party *p = NULL;
    while (rc == RF_OK && (rc = rf_party_iter_next(&p, it)) == RF_OK) {
        kinds[rf_party_get_kind(p)]++;
        rf_party_free(p);
    }
    if (rc != RF_ITEROVER) {
        kpi_die("reading parties", rc);
    }
    rf_party_iter_free(it);
    for (int i = 0; i < 5; i++) {
        names[i] = rf_party_kind_name((rf_party_kind)i);
    }
    print_table("parties by kind", names, kinds, 5, kinds[1] + kinds[2] + kinds[3] + kinds[4]);
}

static void count_grants(rf_store *store)
{
    long status[6] = {0}, total = 0;
    int64_t issued_cents = 0;
    const char *names[6];
    rf_grant_iter *it = NULL;
    rf_status rc = rf_grant_list(&it, store, NULL);
    rf_grant *gr = NULL;
    while (rc == RF_OK && (rc = rf_grant_iter_next(&gr, it)) == RF_OK) {
        status[rf_grant_get_status(gr)]++;
        total++;
        const char *cur = rf_grant_currency(gr);
        issued_cents += cur != NULL && strcmp(cur, KPI_CURRENCY) == 0 ? rf_grant_amount(gr) : 0;
        rf_grant_free(gr);
    }
    if (rc != RF_ITEROVER) {
        kpi_die("reading grants", rc);
    }
    rf_grant_iter_free(it);
    for (int i = 0; i < 6; i++) {
        names[i] = rf_grant_status_name((rf_grant_status)i);
    }
    printf("  grants: %ld, worth %.2f EUR as issued\n", total, (double)issued_cents / 100.0);
    print_table("grants by status", names, status, 6, total);
}

static void count_tasks(rf_store *store)
{
    long kind[RF_TASK_KIND_COUNT] = {0}, state[RF_TASK_SUPPRESSED + 1] = {0}, total = 0;
    const char *knames[RF_TASK_KIND_COUNT], *snames[RF_TASK_SUPPRESSED + 1];
    rf_task_iter *it = NULL;
    rf_status rc = rf_task_list(&it, store, NULL);
    rf_task *t = NULL;
    while (rc == RF_OK && (rc = rf_task_iter_next(&t, it)) == RF_OK) {
        kind[rf_task_get_kind(t)]++;
        state[rf_task_get_state(t)]++;
        total++;
        rf_task_free(t);
    }
    if (rc != RF_ITEROVER) {
        kpi_die("reading tasks", rc);
    }
    rf_task_iter_free(it);
    for (int i = 0; i < RF_TASK_KIND_COUNT; i++) {
        knames[i] = rf_task_kind_name((rf_task_kind)i);
    }
    for (int i = 0; i <= RF_TASK_SUPPRESSED; i++) {
        snames[i] = rf_task_state_name((rf_task_state)i);
    }
    printf("  tasks: %ld\n", total);
    print_table("tasks by kind", knames, kind, RF_TASK_KIND_COUNT, total);
    print_table("tasks by state", snames, state, RF_TASK_SUPPRESSED + 1, total);
}

static void count_events(rf_store *store)
{
    long type[RF_CLIENT_EVENT_TYPE_COUNT] = {0}, total = 0;
    int64_t revenue = 0;
    const char *names[RF_CLIENT_EVENT_TYPE_COUNT];
    rf_client_event_iter *it = NULL;
    rf_status rc = rf_client_event_list(&it, store, NULL);
    rf_client_event *e = NULL;
    while (rc == RF_OK && (rc = rf_client_event_iter_next(&e, it)) == RF_OK) {
        type[rf_client_event_get_type(e)]++;
        total++;
        revenue += rf_client_event_get_type(e) == RF_CLIENT_EVENT_REVENUE ? rf_client_event_amount(e) : 0;
        rf_client_event_free(e);
    }
    if (rc != RF_ITEROVER) {
        kpi_die("reading client events", rc);
    }
    rf_client_event_iter_free(it);
    for (int i = 0; i < RF_CLIENT_EVENT_TYPE_COUNT; i++) {
        names[i] = rf_client_event_type_name((rf_client_event_type)i);
    }
    printf("  client events: %ld; revenue %.2f EUR\n", total, (double)revenue / 100.0);
    print_table("client events by type", names, type, RF_CLIENT_EVENT_TYPE_COUNT, total);
}

static void advocates_programme(rf_store *store, char id[RF_ID_BUFSIZE])
{
    rf_program *p = NULL;
    rf_status rc = rf_program_find(&p, store, "Client advocates");
    if (rc != RF_OK) {
        kpi_die("finding the advocates programme", rc);
    }
    kpi_copy(id, RF_ID_BUFSIZE, rf_program_id(p));
    rf_program_free(p);
}

int kpi_generate_verify(const char *path, const kpi_gen_figures *expected)
{
    double t0 = now_seconds();
    rf_store *store = open_file(path);
    char advocates_id[RF_ID_BUFSIZE];
    advocates_programme(store, advocates_id);
    printf("\nread back from %s through the public API\n", path);
    referral_tally *t = kpi_xcalloc(1, sizeof *t);
    count_referrals(store, t, advocates_id);
    print_referrals(t);
    double t1 = now_seconds();
    count_parties(store);
    count_grants(store);
    count_tasks(store);
    count_events(store);
    rf_store_free(store);
    printf("  read in %.1f s (referrals %.1f s)\n", now_seconds() - t0, t1 - t0);

    int failed = 0;
    if (expected != NULL) {
        failed = t->total != expected->referrals;
        for (int s = 0; s < RF_REFERRAL_STATE_COUNT; s++) {
            if (t->state[s] != expected->state_count[s]) {
                printf("  MISMATCH %s: %ld in the file, %ld in the generator's tally\n",
                       rf_referral_state_name((rf_referral_state)s), t->state[s], expected->state_count[s]);
                failed = 1;
            }
        }
        printf("  %s: %ld referrals, states as the generator moved them\n", failed ? "MISMATCH" : "checked",
               t->total);
    }
    free(t);
    return failed;
}

/* ---- the journal's digest -------------------------------------------------------------------------------
 */

static uint64_t fnv(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ p[i]) * 0x100000001b3ULL;
    }
    return h;
}

static uint64_t fnv_text(uint64_t h, const char *s)
{
    return fnv(h, s != NULL ? s : "", s != NULL ? strlen(s) + 1 : 1);
}

uint64_t kpi_generate_digest(const char *path)
{
    rf_store *store = open_file(path);
    rf_journal_iter *it = NULL;
    rf_status rc = rf_journal_read(&it, store, 0);
    uint64_t h = 0xcbf29ce484222325ULL;
    rf_event *e = NULL;
    while (rc == RF_OK && (rc = rf_journal_iter_next(&e, it)) == RF_OK) {
        int64_t seq = rf_event_seq(e), at = rf_event_at(e);
        h = fnv(h, &seq, sizeof seq);
        h = fnv(h, &at, sizeof at);
        h = fnv_text(h, rf_event_type(e));
        h = fnv_text(h, rf_event_subject_id(e));
        h = fnv_text(h, rf_event_object_id(e));
        h = fnv_text(h, rf_event_idempotency_key(e));
        h = fnv_text(h, rf_event_data(e));
        rf_event_free(e);
    }
    if (rc != RF_ITEROVER) {
        kpi_die("reading the journal", rc);
    }
    rf_journal_iter_free(it);
    rf_store_free(store);
    return h;
}
