/* The KPI tables about people: the LEADERBOARD of referrers (named only
 * where they consented, otherwise by initials) and PRACTITIONERS (the
 * advocacy and NPS of each staff member's clients). Tallies are kept per
 * party, never per referral. */
#include <stdlib.h>
#include <string.h>

#include "core/kpi_table.h"
#include "core/privacy.h"
#include "referral/events.h"
#include "referral/party.h"
#include "store/store_internal.h"
#include "util/memory.h"
#include "util/text.h"

/* --- LEADERBOARD ---------------------------------------------------------- */

typedef struct referrer {
    const char *id; /* borrowed from the map while ranking */
    int64_t made, closed;
} referrer;

static rf_status tally_referrer(const rf_referral_record *r, void *payload)
{
    if (r->referrer_id == NULL) {
        return RF_OK;
    }
    referrer *e = rf__kpi_map_upsert(payload, r->referrer_id);
    if (e == NULL) {
        return RF_ENOMEM;
    }
    e->made++;
    e->closed += r->reached_at[RF_REFERRAL_CLOSED] != 0;
    return RF_OK;
}

static int by_rank(const void *a, const void *b)
{
    const referrer *x = a, *y = b;
    if (x->made != y->made) {
        return x->made > y->made ? -1 : 1;
    }
    if (x->closed != y->closed) {
        return x->closed > y->closed ? -1 : 1;
    }
    return strcmp(x->id, y->id);
}

/* A referrer's label: the display name when they consented to be named,
 * else initials, written as everywhere else the library shows them (the
 * referrer's view, messages); "" when the party is gone. */
static rf_status label_of(rf_store *store, const char *id, char *out, size_t size)
{
    rf_party_record p;
    memset(&p, 0, sizeof p);
    int rc = store->backend->party_get(store->backend, store->practice, id, &p);
    out[0] = '\0';
    if (rc == RF_ENOTFOUND) {
        return RF_OK;
    }
    if (rc != RF_OK) {
        return (rf_status)rc;
    }
    if ((p.consent & RF_CONSENT_NAMED) && p.display_name != NULL) {
        size_t n = strlen(p.display_name);
        n = n < size - 1 ? n : size - 1;
        memcpy(out, p.display_name, n);
        out[n] = '\0';
    } else {
        rf__initials_of(p.display_name != NULL ? p.display_name : "", out, size);
    }
    return RF_OK;
}

rf_status rf__kpi_table_leaderboard(rf_store *store, const rf_kpi_filter *f, rf_kpi_table *t)
{
    rf__kpi_map m;
    rf__kpi_map_init(&m, sizeof(referrer));
    rf_status rc = rf__kpi_cohort_scan(store, f, tally_referrer, &m);
    referrer *ranked = NULL;
    if (rc == RF_OK && m.count > 0) {
        ranked = rf__malloc(m.count * sizeof *ranked);
        rc = ranked != NULL ? RF_OK : RF_ENOMEM;
    }
    if (rc == RF_OK) {
        for (size_t i = 0; i < m.count; i++) {
            ranked[i] = *(referrer *)rf__kpi_map_value(&m, i);
            ranked[i].id = rf__kpi_map_key(&m, i);
        }
        if (m.count > 1) {
            qsort(ranked, m.count, sizeof *ranked, by_rank);
        }
    }
    size_t top = f->top != 0 ? f->top : RF__KPI_TOP_DEFAULT;
    for (size_t i = 0; rc == RF_OK && i < m.count && i < top; i++) {
        char label[RF_NAME_MAX + 1];
        rf_kpi_row *row = NULL;
        if ((rc = label_of(store, ranked[i].id, label, sizeof label)) == RF_OK &&
            (rc = rf__kpi_table_add(t, ranked[i].id, label, &row)) == RF_OK) {
            rf__kpi_cell_count(row, RF_KPI_COLUMN_COUNT, ranked[i].made);
            rf__kpi_cell_count(row, RF_KPI_COLUMN_CLOSED, ranked[i].closed);
        }
    }
    free(ranked);
    rf__kpi_map_free(&m);
    return rc;
}

/* --- PRACTITIONERS -------------------------------------------------------- */

typedef struct staff_tally {
    char *name;
    int64_t clients, advocates, nps_sum, nps_n, made;
} staff_tally;

typedef struct client_tally {
    size_t staff; /* index in the staff map */
    int active, made;
} client_tally;

typedef struct practice_scan {
    const rf_kpi_filter *filter;
    rf__kpi_map staff, clients;
    rf_status error;
} practice_scan;

static int visit_staff(const rf_party_record *p, void *payload)
{
    practice_scan *s = payload;
    const char *only = s->filter->practitioner_id;
    if (only != NULL && strcmp(p->id, only) != 0) {
        return 0;
    }
    staff_tally *e = rf__kpi_map_upsert(&s->staff, p->id);
    if (e == NULL || (e->name = rf__strdup(p->display_name != NULL ? p->display_name : "")) == NULL) {
        s->error = RF_ENOMEM;
    }
    return s->error != RF_OK;
}

static size_t index_of(const rf__kpi_map *m, const void *value)
{
    return (size_t)((const unsigned char *)value - m->values) / m->value_size;
}

static int visit_client(const rf_party_record *p, void *payload)
{
    practice_scan *s = payload;
    const rf_kpi_filter *f = s->filter;
    const staff_tally *staff = rf__kpi_map_find(&s->staff, p->practitioner_id);
    if (staff == NULL) {
        return 0;
    }
    size_t at = index_of(&s->staff, staff);
    client_tally *c = rf__kpi_map_upsert(&s->clients, p->id);
    if (c == NULL) {
        s->error = RF_ENOMEM;
        return 1;
    }
    c->staff = at;
    c->active = p->first_visit_at != 0 && p->first_visit_at >= f->from && p->first_visit_at < f->to;
    return 0;
}

static int visit_event(const rf_client_event_record *e, void *payload)
{
    practice_scan *s = payload;
    client_tally *c = rf__kpi_map_find(&s->clients, e->party_id);
    if (c == NULL) {
        return 0;
    }
    if (e->type == RF_CLIENT_EVENT_VISIT_COMPLETED) {
        c->active = 1;
    } else if (e->type == RF_CLIENT_EVENT_NPS) {
        staff_tally *st = rf__kpi_map_value(&s->staff, c->staff);
        st->nps_sum += e->value;
        st->nps_n++;
    }
    return 0;
}

static rf_status tally_made(const rf_referral_record *r, void *payload)
{
    practice_scan *s = payload;
    client_tally *c = rf__kpi_map_find(&s->clients, r->referrer_id);
    if (c != NULL) {
        c->made = 1;
        ((staff_tally *)rf__kpi_map_value(&s->staff, c->staff))->made++;
    }
    return RF_OK;
}

static rf_status scan_practice(rf_store *store, practice_scan *s)
{
    rf_backend *b = store->backend;
    const rf_kpi_filter *f = s->filter;
    rf_party_query staff = {NULL, RF_PARTY_STAFF, NULL, 0}, clients = {NULL, RF_PARTY_CLIENT, NULL, 0};
    rf_status rc = (rf_status)b->party_scan(b, store->practice, &staff, visit_staff, s);
    rc = rc != RF_OK ? rc : s->error;
    if (rc == RF_OK) {
        rc = (rf_status)b->party_scan(b, store->practice, &clients, visit_client, s);
        rc = rc != RF_OK ? rc : s->error;
    }
    static const int types[] = {RF_CLIENT_EVENT_VISIT_COMPLETED, RF_CLIENT_EVENT_NPS};
    for (size_t i = 0; rc == RF_OK && i < sizeof types / sizeof types[0]; i++) {
        rf_client_event_query q = {NULL, NULL, types[i], f->from, f->to, 0};
        rc = (rf_status)b->client_event_scan(b, store->practice, &q, visit_event, s);
    }
    return rc == RF_OK ? rf__kpi_cohort_scan(store, f, tally_made, s) : rc;
}

rf_status rf__kpi_table_practitioners(rf_store *store, const rf_kpi_filter *f, rf_kpi_table *t)
{
    practice_scan s;
    memset(&s, 0, sizeof s);
    s.filter = f;
    rf__kpi_map_init(&s.staff, sizeof(staff_tally));
    rf__kpi_map_init(&s.clients, sizeof(client_tally));
    rf_status rc = scan_practice(store, &s);
    for (size_t i = 0; rc == RF_OK && i < s.clients.count; i++) {
        const client_tally *c = rf__kpi_map_value(&s.clients, i);
        staff_tally *st = rf__kpi_map_value(&s.staff, c->staff);
        st->clients += c->active;
        st->advocates += c->active && c->made;
    }
    /* The party scan went in id order, and the map keeps it. */
    for (size_t i = 0; rc == RF_OK && i < s.staff.count; i++) {
        const staff_tally *st = rf__kpi_map_value(&s.staff, i);
        rf_kpi_row *row = NULL;
        if ((rc = rf__kpi_table_add(t, rf__kpi_map_key(&s.staff, i), st->name, &row)) == RF_OK) {
            rf__kpi_cell_count(row, RF_KPI_COLUMN_CLIENTS, st->clients);
            rf__kpi_cell_count(row, RF_KPI_COLUMN_ADVOCATES, st->advocates);
            rf__kpi_cell_rate(row, RF_KPI_COLUMN_ADVOCACY_RATE, st->advocates, st->clients);
            rf__kpi_cell_rate(row, RF_KPI_COLUMN_MEAN_NPS, st->nps_sum, st->nps_n);
            rf__kpi_cell_count(row, RF_KPI_COLUMN_COUNT, st->made);
        }
    }
    for (size_t i = 0; i < s.staff.count; i++) {
        free(((staff_tally *)rf__kpi_map_value(&s.staff, i))->name);
    }
    rf__kpi_map_free(&s.staff);
    rf__kpi_map_free(&s.clients);
    return rc;
}
