/* The PostgreSQL backend's referrals (contract version 2): insert, update,
 * get and scan, described to the machinery in pg_rows.c.
 *
 * Parameters: $1 the practice, $2-$16 the texts, $17-$28 the integers,
 * $29-$43 the time each state was first reached (slot s is $29 + s, NULL
 * when never), $44-$46 the appointment, first appointment and update times;
 * columns in the same order from 0. */
#include "pg_internal.h"

#define REFERRAL_TEXTS 15
#define REFERRAL_INTS 12
#define FIRST_INT 15   /* column of direction */
#define FIRST_STATE 27 /* column of slot s is FIRST_STATE + s */
#define FIRST_TIME 42  /* column of appointment_at */

_Static_assert(FIRST_INT + REFERRAL_INTS == FIRST_STATE, "the states follow the integers");
_Static_assert(FIRST_STATE + RF_BACKEND_STATE_SLOTS == FIRST_TIME, "one column per state");

#define REFERRAL_COLUMNS                                                                                     \
    "id, program_id, referrer_id, referee_id, target_id, code_id, touch_id, evidence, reason, "              \
    "preferred_timing, practitioner_id, variant, documents_required, documents_received, attribution_key, "  \
    "direction, source, channel, state, held_state, care_level, urgency, fraud_flags, documents_complete, "  \
    "reschedules, no_shows, visits, unset_at, received_at, needs_info_at, accepted_at, scheduled_at, "       \
    "no_show_at, appt_cancelled_at, seen_at, closed_at, cancel_requested_at, cancelled_at, declined_at, "    \
    "lost_at, on_hold_at, entered_in_error_at, appointment_at, first_appointment_at, updated_at"

#define T15                                                                                                  \
    "$2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text, $9::text, $10::text, "            \
    "$11::text, $12::text, $13::text, $14::text, $15::text, $16::text"
#define B "::bigint"
#define I31                                                                                                  \
    "$17" B ", $18" B ", $19" B ", $20" B ", $21" B ", $22" B ", $23" B ", $24" B ", $25" B ", $26" B        \
    ", $27" B ", $28" B ", $29" B ", $30" B ", $31" B ", $32" B ", $33" B ", $34" B ", $35" B ", $36" B      \
    ", $37" B ", $38" B ", $39" B ", $40" B ", $41" B ", $42" B ", $43" B ", $44" B ", $45" B ", $46" B

static const rf__pg_stmt referral_insert = {60, "rf_referral_insert",
                                            "INSERT INTO referrals (practice, " REFERRAL_COLUMNS
                                            ") VALUES ($1::text, " T15 ", " I31 ") ON CONFLICT DO NOTHING"};
static const rf__pg_stmt referral_update = {
    61, "rf_referral_update",
    "UPDATE referrals SET program_id = $3::text, referrer_id = $4::text, referee_id = $5::text, "
    "target_id = $6::text, code_id = $7::text, touch_id = $8::text, evidence = $9::text, reason = $10::text, "
    "preferred_timing = $11::text, practitioner_id = $12::text, variant = $13::text, "
    "documents_required = $14::text, documents_received = $15::text, attribution_key = $16::text, "
    "direction = $17" B ", source = $18" B ", channel = $19" B ", state = $20" B ", held_state = $21" B
    ", care_level = $22" B ", urgency = $23" B ", fraud_flags = $24" B ", documents_complete = $25" B
    ", reschedules = $26" B ", no_shows = $27" B ", visits = $28" B ", unset_at = $29" B
    ", received_at = $30" B ", needs_info_at = $31" B ", accepted_at = $32" B ", scheduled_at = $33" B
    ", no_show_at = $34" B ", appt_cancelled_at = $35" B ", seen_at = $36" B ", closed_at = $37" B
    ", cancel_requested_at = $38" B ", cancelled_at = $39" B ", declined_at = $40" B ", lost_at = $41" B
    ", on_hold_at = $42" B ", entered_in_error_at = $43" B ", appointment_at = $44" B
    ", first_appointment_at = $45" B ", updated_at = $46" B
    " WHERE practice = $1::text AND id = $2::text AND NOT EXISTS (SELECT 1 FROM referrals o WHERE "
    "o.practice = $1::text AND o.attribution_key = $16::text AND o.id <> $2::text)"};
static const rf__pg_stmt referral_exists = {
    62, "rf_referral_exists", "SELECT 1 FROM referrals WHERE practice = $1::text AND id = $2::text"};
static const rf__pg_stmt referral_get = {63, "rf_referral_get",
                                         "SELECT " REFERRAL_COLUMNS
                                         " FROM referrals WHERE practice = $1::text AND id = $2::text"};

/* The filters of rf_referral_query: $4-$7 the ids (NULL: any), $8 the
 * direction (0: both), $9/$10 the period as an inclusive pair. */
#define REFERRAL_FILTERS                                                                                     \
    "($4::text IS NULL OR program_id = $4::text) AND ($5::text IS NULL OR referrer_id = $5::text) AND "      \
    "($6::text IS NULL OR referee_id = $6::text) AND ($7::text IS NULL OR target_id = $7::text) AND "        \
    "($8::bigint = 0 OR direction = $8::bigint) AND received_at >= $9::bigint AND received_at <= "           \
    "$10::bigint"
/* @driver names the filter that leads, written plainly so that a generic
 * plan can still use its index ("TRUE": the primary key). */
#define REFERRAL_SCAN(driver)                                                                                \
    "SELECT " REFERRAL_COLUMNS " FROM referrals WHERE practice = $1::text AND " driver                       \
    " AND id > $2::text AND " REFERRAL_FILTERS " ORDER BY id LIMIT $3::bigint"

static const rf__pg_stmt referral_scan_all = {64, "rf_referral_scan", REFERRAL_SCAN("TRUE")};
static const rf__pg_stmt referral_scan_referee = {65, "rf_referral_scan_referee",
                                                  REFERRAL_SCAN("referee_id = $6::text")};
static const rf__pg_stmt referral_scan_referrer = {66, "rf_referral_scan_referrer",
                                                   REFERRAL_SCAN("referrer_id = $5::text")};
static const rf__pg_stmt referral_scan_target = {67, "rf_referral_scan_target",
                                                 REFERRAL_SCAN("target_id = $7::text")};
static const rf__pg_stmt referral_scan_program = {68, "rf_referral_scan_program",
                                                  REFERRAL_SCAN("program_id = $4::text")};

static void read_referral(const PGresult *res, int row, void *record)
{
    rf_referral_record *out = record;
    const char **texts[REFERRAL_TEXTS] = {&out->id,
                                          &out->program_id,
                                          &out->referrer_id,
                                          &out->referee_id,
                                          &out->target_id,
                                          &out->code_id,
                                          &out->touch_id,
                                          &out->evidence,
                                          &out->reason,
                                          &out->preferred_timing,
                                          &out->practitioner_id,
                                          &out->variant,
                                          &out->documents_required,
                                          &out->documents_received,
                                          &out->attribution_key};
    int *ints[REFERRAL_INTS] = {&out->direction,   &out->source,      &out->channel,
                                &out->state,       &out->held_state,  &out->care_level,
                                &out->urgency,     &out->fraud_flags, &out->documents_complete,
                                &out->reschedules, &out->no_shows,    &out->visits};
    for (int i = 0; i < REFERRAL_TEXTS; i++) {
        *texts[i] = rf__pg_text(res, row, i);
    }
    for (int i = 0; i < REFERRAL_INTS; i++) {
        *ints[i] = (int)rf__pg_int(res, row, FIRST_INT + i);
    }
    /* A NULL column (never reached) reads as 0. */
    for (int s = 0; s < RF_BACKEND_STATE_SLOTS; s++) {
        out->reached_at[s] = rf__pg_int(res, row, FIRST_STATE + s);
    }
    out->appointment_at = rf__pg_int(res, row, FIRST_TIME);
    out->first_appointment_at = rf__pg_int(res, row, FIRST_TIME + 1);
    out->updated_at = rf__pg_int(res, row, FIRST_TIME + 2);
}

static void bind_referral(rf__pg_params *p, const char *practice, const void *record)
{
    const rf_referral_record *r = record;
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
    const int ints[REFERRAL_INTS] = {r->direction,          r->source,      r->channel,  r->state,
                                     r->held_state,         r->care_level,  r->urgency,  r->fraud_flags,
                                     r->documents_complete, r->reschedules, r->no_shows, r->visits};
    rf__pg_param_text(p, practice);
    for (int i = 0; i < REFERRAL_TEXTS; i++) {
        rf__pg_param_text(p, texts[i]);
    }
    for (int i = 0; i < REFERRAL_INTS; i++) {
        rf__pg_param_int(p, ints[i]);
    }
    /* received_at is NOT NULL (it is range-filtered); the other slots store "never" (0) as NULL. */
    for (int s = 0; s < RF_BACKEND_STATE_SLOTS; s++) {
        if (s == RF_REFERRAL_RECEIVED) {
            rf__pg_param_int(p, r->reached_at[s]);
        } else {
            rf__pg_param_time_or_null(p, r->reached_at[s]);
        }
    }
    rf__pg_param_time_or_null(p, r->appointment_at);
    rf__pg_param_time_or_null(p, r->first_appointment_at);
    rf__pg_param_int(p, r->updated_at);
}

static int attribution_taken(const char *practice, const void *record)
{
    const rf_referral_record *r = record;
    return rf__pg_fail(RF_EEXISTS, RF_ERRCLASS_REFERRAL,
                       "attribution key '%s' is already held by another referral in practice '%s'",
                       r->attribution_key, practice);
}

static const rf__pg_record_kind referral_kind = {
    .noun = "referral",
    .klass = RF_ERRCLASS_REFERRAL,
    .insert = &referral_insert,
    .update = &referral_update,
    .exists = &referral_exists,
    .inserting = "inserting a referral",
    .updating = "updating a referral",
    .reading = "reading a referral",
    .bind = bind_referral,
    .read = read_referral,
    .key_taken = attribution_taken,
};

int rf__pg_referral_insert(rf_backend *backend, const char *practice, const rf_referral_record *record)
{
    return rf__pg_insert_record((rf_pg *)backend, &referral_kind, practice, record, record->id);
}

int rf__pg_referral_update(rf_backend *backend, const char *practice, const rf_referral_record *record)
{
    return rf__pg_update_record((rf_pg *)backend, &referral_kind, practice, record, record->id);
}

int rf__pg_referral_get(rf_backend *backend, const char *practice, const char *id, rf_referral_record *out)
{
    return rf__pg_lookup_record((rf_pg *)backend, &referral_kind, &referral_get, practice, id, "id", out,
                                sizeof *out);
}

static void bind_referral_query(rf__pg_params *p, const void *query)
{
    const rf_referral_query *q = query;
    rf__pg_param_text(p, q->program_id);
    rf__pg_param_text(p, q->referrer_id);
    rf__pg_param_text(p, q->referee_id);
    rf__pg_param_text(p, q->target_id);
    rf__pg_param_int(p, q->direction);
    rf__pg_param_period(p, q->received_from, q->received_to);
}

static int visit_referral(const rf__pg_scan *s)
{
    return s->fn.referral(s->record, s->payload);
}

/* The statement led by the most selective filter given (see the SQLite
 * backend's referral_scan_stmt for why a programme leads only with a period). */
static const rf__pg_stmt *referral_scan_stmt(const rf_referral_query *q)
{
    if (q->referee_id != NULL) {
        return &referral_scan_referee;
    }
    if (q->referrer_id != NULL) {
        return &referral_scan_referrer;
    }
    if (q->target_id != NULL) {
        return &referral_scan_target;
    }
    if (q->program_id != NULL && (q->received_from != RF_TIME_UNSET || q->received_to != RF_TIME_UNSET)) {
        return &referral_scan_program;
    }
    return &referral_scan_all;
}

int rf__pg_referral_scan(rf_backend *backend, const char *practice, const rf_referral_query *query,
                         rf_referral_visit_fn visit, void *payload)
{
    static const rf_referral_query everything = {NULL, NULL,          NULL,          NULL, NULL,
                                                 0,    RF_TIME_UNSET, RF_TIME_UNSET, 0};
    const rf_referral_query *q = query != NULL ? query : &everything;
    rf_referral_record record;
    rf__pg_scan s = {.stmt = referral_scan_stmt(q),
                     .bind = bind_referral_query,
                     .query = q,
                     .after = q->after_id,
                     .limit = q->limit,
                     .cursor_col = 0,
                     .read = read_referral,
                     .record = &record,
                     .size = sizeof record,
                     .visit = visit_referral,
                     .fn.referral = visit,
                     .payload = payload,
                     .what = "scanning referrals"};
    return rf__pg_run_scan((rf_pg *)backend, practice, &s);
}
