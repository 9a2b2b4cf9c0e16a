/* The SQLite backend's referrals (contract version 2): insert, update, get
 * and scan, described to the machinery in sqlite_rows.c.
 *
 * Create-then-advance is the write path that matters, so get and the usual
 * update are one cached statement each and allocate nothing beyond the
 * handle's buffers, and get answers from the memo of the referral last
 * written when it can (rf__sqlite_memo). Column and parameter numbers follow
 * REFERRAL_COLUMNS in sqlite_statements.c. */
#include "sqlite_internal.h"

#include <string.h>

#define REFERRAL_TEXTS 15
#define FIRST_INT 15   /* column of direction; parameter FIRST_INT + 2 */
#define FIRST_STATE 27 /* column of slot s is FIRST_STATE + s; parameter + 2 */
#define FIRST_TIME 42  /* column of appointment_at */

_Static_assert(REFERRAL_TEXTS <= RF_SQLITE_MAX_TEXTS, "scratch copy holds every text");
_Static_assert(FIRST_STATE + RF_BACKEND_STATE_SLOTS == FIRST_TIME, "one column per state");

/* The record's text fields in column order. */
static void text_fields(rf_referral_record *r, const char **fields[REFERRAL_TEXTS])
{
    const char **f[REFERRAL_TEXTS] = {&r->id,
                                      &r->program_id,
                                      &r->referrer_id,
                                      &r->referee_id,
                                      &r->target_id,
                                      &r->code_id,
                                      &r->touch_id,
                                      &r->evidence,
                                      &r->reason,
                                      &r->preferred_timing,
                                      &r->practitioner_id,
                                      &r->variant,
                                      &r->documents_required,
                                      &r->documents_received,
                                      &r->attribution_key};
    memcpy(fields, f, sizeof f);
}

static int read_referral(rf_sqlite *b, sqlite3_stmt *st, int copy, void *record)
{
    rf_referral_record *out = record;
    const char **fields[REFERRAL_TEXTS];
    text_fields(out, fields);
    int *ints[] = {&out->direction,          &out->source,      &out->channel,  &out->state,
                   &out->held_state,         &out->care_level,  &out->urgency,  &out->fraud_flags,
                   &out->documents_complete, &out->reschedules, &out->no_shows, &out->visits};
    for (int i = 0; i < (int)(sizeof ints / sizeof ints[0]); i++) {
        *ints[i] = sqlite3_column_int(st, FIRST_INT + i);
    }
    /* A NULL column (never reached) reads as 0. */
    for (int s = 0; s < RF_BACKEND_STATE_SLOTS; s++) {
        out->reached_at[s] = sqlite3_column_int64(st, FIRST_STATE + s);
    }
    out->appointment_at = sqlite3_column_int64(st, FIRST_TIME);
    out->first_appointment_at = sqlite3_column_int64(st, FIRST_TIME + 1);
    out->updated_at = sqlite3_column_int64(st, FIRST_TIME + 2);
    return rf__sqlite_read_texts(b, st, copy, fields, REFERRAL_TEXTS);
}

static int bind_referral(sqlite3_stmt *st, const char *practice, const void *record)
{
    const rf_referral_record *r = record;
    rf__sqlite_binder bd = {st, SQLITE_OK};
    const char *texts[REFERRAL_TEXTS] = {r->id,
                                         r->program_id,
                                         r->referrer_id,
                                         r->referee_id,
                                         r->target_id,
                                         r->code_id,
                                         r->touch_id,
                                         r->evidence,
                                         r->reason,
                                         r->preferred_timing,
                                         r->practitioner_id,
                                         r->variant,
                                         r->documents_required,
                                         r->documents_received,
                                         r->attribution_key};
    const int ints[] = {r->direction,          r->source,      r->channel,  r->state,
                        r->held_state,         r->care_level,  r->urgency,  r->fraud_flags,
                        r->documents_complete, r->reschedules, r->no_shows, r->visits};
    rf__sqlite_bind_text(&bd, 1, practice);
    for (int i = 0; i < REFERRAL_TEXTS; i++) {
        rf__sqlite_bind_text(&bd, 2 + i, texts[i]);
    }
    for (int i = 0; i < (int)(sizeof ints / sizeof ints[0]); i++) {
        rf__sqlite_bind_int(&bd, FIRST_INT + 2 + i, ints[i]);
    }
    /* received_at is NOT NULL (it is range-filtered); the other slots store "never" (0) as NULL. */
    for (int s = 0; s < RF_BACKEND_STATE_SLOTS; s++) {
        if (s == RF_REFERRAL_RECEIVED) {
            rf__sqlite_bind_int(&bd, FIRST_STATE + 2 + s, r->reached_at[s]);
        } else {
            rf__sqlite_bind_time_or_null(&bd, FIRST_STATE + 2 + s, r->reached_at[s]);
        }
    }
    rf__sqlite_bind_time_or_null(&bd, FIRST_TIME + 2, r->appointment_at);
    rf__sqlite_bind_time_or_null(&bd, FIRST_TIME + 3, r->first_appointment_at);
    rf__sqlite_bind_int(&bd, FIRST_TIME + 4, r->updated_at);
    return bd.rc;
}

static int attribution_taken(const char *practice, const void *record)
{
    const rf_referral_record *r = record;
    return rf__sqlite_fail(RF_EEXISTS, RF_ERRCLASS_REFERRAL,
                           "attribution key '%s' is already held by another referral in practice '%s'",
                           r->attribution_key, practice);
}

static const rf__sqlite_record_kind referral_kind = {
    .noun = "referral",
    .klass = RF_ERRCLASS_REFERRAL,
    .insert = RF_SQ_REFERRAL_INSERT,
    .update = RF_SQ_REFERRAL_UPDATE,
    .update_unkeyed = RF_SQ_REFERRAL_UPDATE_UNKEYED,
    .inserting = "inserting a referral",
    .updating = "updating a referral",
    .reading = "reading a referral",
    .bind = bind_referral,
    .read = read_referral,
    .unique_column = ".attribution_key",
    .key_taken = attribution_taken,
};

/* The referral last written is the one the next move reads (rf__sqlite_memo). */
static int remember(rf_sqlite *b, const char *practice, const rf_referral_record *record, int rc)
{
    const char **fields[REFERRAL_TEXTS];
    b->referral.r.referral = *record;
    text_fields(&b->referral.r.referral, fields);
    return rf__sqlite_memo_keep(b, &b->referral, practice, fields, REFERRAL_TEXTS, rc);
}

int rf__sqlite_referral_insert(rf_backend *backend, const char *practice, const rf_referral_record *record)
{
    rf_sqlite *b = (rf_sqlite *)backend;
    return remember(b, practice, record,
                    rf__sqlite_insert_record(b, &referral_kind, practice, record, record->id));
}

int rf__sqlite_referral_update(rf_backend *backend, const char *practice, const rf_referral_record *record)
{
    rf_sqlite *b = (rf_sqlite *)backend;
    return remember(b, practice, record,
                    rf__sqlite_update_record(b, &referral_kind, practice, record, record->id));
}

int rf__sqlite_referral_get(rf_backend *backend, const char *practice, const char *id,
                            rf_referral_record *out)
{
    rf_sqlite *b = (rf_sqlite *)backend;
    const rf_referral_record *memo = &b->referral.r.referral;
    if (rf__sqlite_memo_has(b, &b->referral, practice, id, memo->id)) {
        const char **fields[REFERRAL_TEXTS];
        *out = *memo;
        text_fields(out, fields);
        if (rf__sqlite_copy_texts(&b->scratch, &b->scratch_cap, 0, fields, REFERRAL_TEXTS)) {
            return RF_OK;
        }
    }
    return rf__sqlite_lookup_record(b, &referral_kind, RF_SQ_REFERRAL_GET, practice, id, "id", out,
                                    sizeof *out);
}

/* ?4-?7 the id filters (NULL: any), ?8 the direction (0: both), ?9/?10 the period. */
static int bind_referral_page(sqlite3_stmt *st, const char *practice, const void *query)
{
    const rf_referral_query *q = query;
    rf__sqlite_binder bd = {st, rf__sqlite_bind_page(st, practice, q->after_id, 3, q->limit)};
    rf__sqlite_bind_text(&bd, 4, q->program_id);
    rf__sqlite_bind_text(&bd, 5, q->referrer_id);
    rf__sqlite_bind_text(&bd, 6, q->referee_id);
    rf__sqlite_bind_text(&bd, 7, q->target_id);
    rf__sqlite_bind_int(&bd, 8, q->direction);
    rf__sqlite_bind_period(&bd, 9, 10, q->received_from, q->received_to);
    return bd.rc;
}

static int visit_referral(const rf__sqlite_scan *s)
{
    return s->fn.referral(s->record, s->payload);
}

/* The statement that starts from the most selective filter given: a
 * referee's, a referrer's and a partner's referrals come in id order from
 * their index. A programme's index pays only with a period to narrow it,
 * and only for a scan read in one go: its rows come in received order, so
 * they are sorted by id, and a paged scan would find and sort every
 * remaining row of the period again for each page (quadratic time, and the
 * sorter's memory grows with the period). A paged scan walks the primary
 * key from its cursor instead, which stops as soon as a page is full. */
static rf_sqlite_stmt_id referral_scan_stmt(const rf_referral_query *q)
{
    if (q->referee_id != NULL) {
        return RF_SQ_REFERRAL_SCAN_REFEREE;
    }
    if (q->referrer_id != NULL) {
        return RF_SQ_REFERRAL_SCAN_REFERRER;
    }
    if (q->target_id != NULL) {
        return RF_SQ_REFERRAL_SCAN_TARGET;
    }
    if (q->program_id != NULL && q->limit == 0 &&
        (q->received_from != RF_TIME_UNSET || q->received_to != RF_TIME_UNSET)) {
        return RF_SQ_REFERRAL_SCAN_PROGRAM;
    }
    return RF_SQ_REFERRAL_SCAN;
}

int rf__sqlite_referral_scan(rf_backend *backend, const char *practice, const rf_referral_query *query,
                             rf_referral_visit_fn visit, void *payload)
{
    static const rf_referral_query everything = {NULL, NULL,          NULL,          NULL, NULL,
                                                 0,    RF_TIME_UNSET, RF_TIME_UNSET, 0};
    const rf_referral_query *q = query != NULL ? query : &everything;
    rf_referral_record record;
    rf__sqlite_scan s = {.stmt = referral_scan_stmt(q),
                         .bind = bind_referral_page,
                         .query = q,
                         .read = read_referral,
                         .record = &record,
                         .size = sizeof record,
                         .visit = visit_referral,
                         .fn.referral = visit,
                         .payload = payload,
                         .what = "scanning referrals"};
    return rf__sqlite_run_scan((rf_sqlite *)backend, practice, &s);
}
