/* The PostgreSQL backend's reward rules and grants (contract version 3):
 * inserts, updates, gets and scans, described to the machinery in pg_rows.c.
 * Same semantics as sqlite_rewards.c. */
#include "pg_v34.h"

/* ---- reward rules ---- */

/* Texts (columns 0-4, parameters $2-$6), integers (5-14, $7-$16), the amount
 * and the times (15-17, $17-$19). */
#define RULE_COLUMNS                                                                                         \
    "id, program_id, name, currency, item, recipient, trigger_state, kind, percent, expiry_days, "           \
    "hold_days, cap_count, cap_days, tier, active, amount, created_at, updated_at"

static const rf__pg_stmt rule_insert = {
    128, "rf_rule_insert",
    "INSERT INTO reward_rules (practice, " RULE_COLUMNS ") VALUES ($1::text, $2::text, $3::text, $4::text, "
    "$5::text, $6::text, $7::bigint, $8::bigint, $9::bigint, $10::bigint, $11::bigint, $12::bigint, "
    "$13::bigint, $14::bigint, $15::bigint, $16::bigint, $17::bigint, $18::bigint, $19::bigint) "
    "ON CONFLICT DO NOTHING"};
static const rf__pg_stmt rule_update = {
    129, "rf_rule_update",
    "UPDATE reward_rules SET program_id = $3::text, name = $4::text, currency = $5::text, item = $6::text, "
    "recipient = $7::bigint, trigger_state = $8::bigint, kind = $9::bigint, percent = $10::bigint, "
    "expiry_days = $11::bigint, hold_days = $12::bigint, cap_count = $13::bigint, cap_days = $14::bigint, "
    "tier = $15::bigint, active = $16::bigint, amount = $17::bigint, created_at = $18::bigint, "
    "updated_at = $19::bigint WHERE practice = $1::text AND id = $2::text"};
static const rf__pg_stmt rule_get = {130, "rf_rule_get",
                                     "SELECT " RULE_COLUMNS
                                     " FROM reward_rules WHERE practice = $1::text AND id = $2::text"};
static const rf__pg_stmt rule_scan = {131, "rf_rule_scan",
                                      "SELECT " RULE_COLUMNS " FROM reward_rules WHERE practice = $1::text "
                                      "AND id > $2::text ORDER BY id LIMIT $3::bigint"};
/* $4 the programme. */
static const rf__pg_stmt rule_scan_program = {
    132, "rf_rule_scan_program",
    "SELECT " RULE_COLUMNS " FROM reward_rules WHERE practice = $1::text AND program_id = $4::text "
    "AND id > $2::text ORDER BY id LIMIT $3::bigint"};

#define RULE_TEXTS 5
#define RULE_INTS 10 /* recipient .. active, columns RULE_TEXTS.. */

static void read_rule(const PGresult *res, int row, void *record)
{
    rf_reward_rule_record *out = record;
    const char **texts[RULE_TEXTS] = {&out->id, &out->program_id, &out->name, &out->currency, &out->item};
    int *ints[RULE_INTS] = {&out->recipient,   &out->trigger,   &out->kind,      &out->percent,
                            &out->expiry_days, &out->hold_days, &out->cap_count, &out->cap_days,
                            &out->tier,        &out->active};
    for (int i = 0; i < RULE_TEXTS; i++) {
        *texts[i] = rf__pg_text(res, row, i);
    }
    for (int i = 0; i < RULE_INTS; i++) {
        *ints[i] = (int)rf__pg_int(res, row, RULE_TEXTS + i);
    }
    out->amount = rf__pg_int(res, row, 15);
    out->created_at = rf__pg_int(res, row, 16);
    out->updated_at = rf__pg_int(res, row, 17);
}

static void bind_rule(rf__pg_params *p, const char *practice, const void *record)
{
    const rf_reward_rule_record *r = record;
    const char *texts[RULE_TEXTS] = {r->id, r->program_id, r->name, r->currency, r->item};
    const int ints[RULE_INTS] = {r->recipient, r->trigger,   r->kind,     r->percent, r->expiry_days,
                                 r->hold_days, r->cap_count, r->cap_days, r->tier,    r->active};
    rf__pg_param_text(p, practice);
    for (int i = 0; i < RULE_TEXTS; i++) {
        rf__pg_param_text(p, texts[i]);
    }
    for (int i = 0; i < RULE_INTS; i++) {
        rf__pg_param_int(p, ints[i]);
    }
    rf__pg_param_int(p, r->amount);
    rf__pg_param_int(p, r->created_at);
    rf__pg_param_int(p, r->updated_at);
}

/* No unique key besides the id: a clash on insert is the id's. */
static const rf__pg_record_kind rule_kind = {
    .noun = "reward rule",
    .klass = RF_ERRCLASS_REWARD,
    .insert = &rule_insert,
    .update = &rule_update,
    .inserting = "inserting a reward rule",
    .updating = "updating a reward rule",
    .reading = "reading a reward rule",
    .bind = bind_rule,
    .read = read_rule,
};

int rf__pg_reward_rule_insert(rf_backend *backend, const char *practice, const rf_reward_rule_record *record)
{
    return rf__pg_insert_record((rf_pg *)backend, &rule_kind, practice, record, record->id);
}

int rf__pg_reward_rule_update(rf_backend *backend, const char *practice, const rf_reward_rule_record *record)
{
    return rf__pg_update_record((rf_pg *)backend, &rule_kind, practice, record, record->id);
}

int rf__pg_reward_rule_get(rf_backend *backend, const char *practice, const char *id,
                           rf_reward_rule_record *out)
{
    return rf__pg_lookup_record((rf_pg *)backend, &rule_kind, &rule_get, practice, id, "id", out,
                                sizeof *out);
}

static void bind_rule_program(rf__pg_params *p, const void *query)
{
    rf__pg_param_text(p, query);
}

static int visit_rule(const rf__pg_scan *s)
{
    return s->fn.reward_rule(s->record, s->payload);
}

int rf__pg_reward_rule_scan(rf_backend *backend, const char *practice, const char *program_id,
                            const char *after_id, unsigned int limit, rf_reward_rule_visit_fn visit,
                            void *payload)
{
    rf_reward_rule_record record;
    rf__pg_scan s = {.stmt = program_id != NULL ? &rule_scan_program : &rule_scan,
                     .bind = program_id != NULL ? bind_rule_program : NULL,
                     .query = program_id,
                     .after = after_id,
                     .limit = limit,
                     .cursor_col = 0,
                     .read = read_rule,
                     .record = &record,
                     .size = sizeof record,
                     .visit = visit_rule,
                     .fn.reward_rule = visit,
                     .payload = payload,
                     .what = "scanning reward rules"};
    return rf__pg_run_scan((rf_pg *)backend, practice, &s);
}

/* ---- grants ---- */

/* Texts (columns 0-7, parameters $2-$9), integers (8-14, $10-$16), the
 * amounts (15-16, $17-$18), the times (17-22, $19-$24). */
#define GRANT_COLUMNS                                                                                        \
    "id, grant_key, rule_id, program_id, referral_id, recipient_id, currency, item, recipient, kind, "       \
    "rule_kind, compliance, percent, tier_count, status, amount, units, issued_at, release_at, "             \
    "released_at, expires_at, closed_at, updated_at"
/* The filters of rf_grant_query: $4-$6 the ids (NULL: any), $7 the status
 * (0: any), $8/$9 the release and expiry bounds (NULL: none; an unset time
 * is NULL in the table and never passes a bound), $10 the issue bound
 * (INT64_MIN: none). */
#define GRANT_FILTERS                                                                                        \
    "($4::text IS NULL OR recipient_id = $4::text) AND ($5::text IS NULL OR referral_id = $5::text) AND "    \
    "($6::text IS NULL OR rule_id = $6::text) AND ($7::bigint = 0 OR status = $7::bigint) AND "              \
    "($8::bigint IS NULL OR release_at <= $8::bigint) AND ($9::bigint IS NULL OR expires_at <= $9::bigint) " \
    "AND issued_at >= $10::bigint"
/* @driver, the leading filter, is written plainly so that a generic plan
 * still finds its index. */
#define GRANT_SCAN(driver)                                                                                   \
    "SELECT " GRANT_COLUMNS " FROM reward_grants WHERE practice = $1::text AND " driver                      \
    " AND id > $2::text AND " GRANT_FILTERS " ORDER BY id LIMIT $3::bigint"

static const rf__pg_stmt grant_insert = {
    133, "rf_grant_insert",
    "INSERT INTO reward_grants (practice, " GRANT_COLUMNS ") VALUES ($1::text, $2::text, $3::text, $4::text, "
    "$5::text, $6::text, $7::text, $8::text, $9::text, $10::bigint, $11::bigint, $12::bigint, $13::bigint, "
    "$14::bigint, $15::bigint, $16::bigint, $17::bigint, $18::bigint, $19::bigint, $20::bigint, "
    "$21::bigint, $22::bigint, $23::bigint, $24::bigint) ON CONFLICT DO NOTHING"};
/* The grant key ($3) never changes, so it is not set; the last term only
 * gives the server its type (it is always true), as every parameter bound
 * must appear in the statement. */
static const rf__pg_stmt grant_update = {
    134, "rf_grant_update",
    "UPDATE reward_grants SET rule_id = $4::text, program_id = $5::text, referral_id = $6::text, "
    "recipient_id = $7::text, currency = $8::text, item = $9::text, recipient = $10::bigint, "
    "kind = $11::bigint, rule_kind = $12::bigint, compliance = $13::bigint, percent = $14::bigint, "
    "tier_count = $15::bigint, status = $16::bigint, amount = $17::bigint, units = $18::bigint, "
    "issued_at = $19::bigint, release_at = $20::bigint, released_at = $21::bigint, "
    "expires_at = $22::bigint, closed_at = $23::bigint, updated_at = $24::bigint "
    "WHERE practice = $1::text AND id = $2::text AND ($3::text IS NULL OR TRUE)"};
static const rf__pg_stmt grant_exists = {
    135, "rf_grant_exists", "SELECT 1 FROM reward_grants WHERE practice = $1::text AND id = $2::text"};
static const rf__pg_stmt grant_get = {136, "rf_grant_get",
                                      "SELECT " GRANT_COLUMNS
                                      " FROM reward_grants WHERE practice = $1::text AND id = $2::text"};
static const rf__pg_stmt grant_get_by_key = {
    137, "rf_grant_get_by_key",
    "SELECT " GRANT_COLUMNS " FROM reward_grants WHERE practice = $1::text AND grant_key = $2::text"};
static const rf__pg_stmt grant_scan = {138, "rf_grant_scan", GRANT_SCAN("TRUE")};
static const rf__pg_stmt grant_scan_recipient = {139, "rf_grant_scan_recipient",
                                                 GRANT_SCAN("recipient_id = $4::text")};
static const rf__pg_stmt grant_scan_referral = {140, "rf_grant_scan_referral",
                                                GRANT_SCAN("referral_id = $5::text")};
static const rf__pg_stmt grant_scan_rule = {141, "rf_grant_scan_rule", GRANT_SCAN("rule_id = $6::text")};
/* The due work, from the (status, time) indexes; the planner sorts what it finds. */
static const rf__pg_stmt grant_scan_release = {
    142, "rf_grant_scan_release", GRANT_SCAN("status = $7::bigint AND release_at <= $8::bigint")};
static const rf__pg_stmt grant_scan_expiry = {143, "rf_grant_scan_expiry",
                                              GRANT_SCAN("status = $7::bigint AND expires_at <= $9::bigint")};

#define GRANT_TEXTS 8
#define GRANT_INTS 7   /* recipient .. status, columns GRANT_TEXTS.. */
#define GRANT_MONEY 15 /* column of amount, then units */
#define GRANT_TIMES 17 /* column of issued_at, then the five other times */

_Static_assert(GRANT_TEXTS + GRANT_INTS == GRANT_MONEY, "integers precede the amounts");

static void read_grant(const PGresult *res, int row, void *record)
{
    rf_grant_record *out = record;
    const char **texts[GRANT_TEXTS] = {&out->id,         &out->grant_key,   &out->rule_id,
                                       &out->program_id, &out->referral_id, &out->recipient_id,
                                       &out->currency,   &out->item};
    int *ints[GRANT_INTS] = {&out->recipient, &out->kind,       &out->rule_kind, &out->compliance,
                             &out->percent,   &out->tier_count, &out->status};
    /* An unset time is NULL in the table and reads back as 0. */
    rf_time *times[] = {&out->issued_at,  &out->release_at, &out->released_at,
                        &out->expires_at, &out->closed_at,  &out->updated_at};
    for (int i = 0; i < GRANT_TEXTS; i++) {
        *texts[i] = rf__pg_text(res, row, i);
    }
    for (int i = 0; i < GRANT_INTS; i++) {
        *ints[i] = (int)rf__pg_int(res, row, GRANT_TEXTS + i);
    }
    out->amount = rf__pg_int(res, row, GRANT_MONEY);
    out->units = rf__pg_int(res, row, GRANT_MONEY + 1);
    for (int i = 0; i < (int)(sizeof times / sizeof times[0]); i++) {
        *times[i] = rf__pg_int(res, row, GRANT_TIMES + i);
    }
}

static void bind_grant(rf__pg_params *p, const char *practice, const void *record)
{
    const rf_grant_record *r = record;
    const char *texts[GRANT_TEXTS] = {r->id,          r->grant_key,    r->rule_id,  r->program_id,
                                      r->referral_id, r->recipient_id, r->currency, r->item};
    const int ints[GRANT_INTS] = {r->recipient, r->kind,       r->rule_kind, r->compliance,
                                  r->percent,   r->tier_count, r->status};
    rf__pg_param_text(p, practice);
    for (int i = 0; i < GRANT_TEXTS; i++) {
        rf__pg_param_text(p, texts[i]);
    }
    for (int i = 0; i < GRANT_INTS; i++) {
        rf__pg_param_int(p, ints[i]);
    }
    rf__pg_param_int(p, r->amount);
    rf__pg_param_int(p, r->units);
    /* issued_at and updated_at are always set; the others store "not yet" (0) as NULL. */
    rf__pg_param_int(p, r->issued_at);
    rf__pg_param_time_or_null(p, r->release_at);
    rf__pg_param_time_or_null(p, r->released_at);
    rf__pg_param_time_or_null(p, r->expires_at);
    rf__pg_param_time_or_null(p, r->closed_at);
    rf__pg_param_int(p, r->updated_at);
}

static int grant_key_taken(const char *practice, const void *record)
{
    const rf_grant_record *r = record;
    return rf__pg_fail(RF_EEXISTS, RF_ERRCLASS_REWARD,
                       "grant key '%s' is already taken in practice '%s': the reward was already granted",
                       r->grant_key, practice);
}

/* The update never sets the key, so it never clashes: no row updated means
 * no such grant (the existence check rf__pg_update_record then makes says so). */
static const rf__pg_record_kind grant_kind = {
    .noun = "grant",
    .klass = RF_ERRCLASS_REWARD,
    .insert = &grant_insert,
    .update = &grant_update,
    .exists = &grant_exists,
    .inserting = "inserting a grant",
    .updating = "updating a grant",
    .reading = "reading a grant",
    .bind = bind_grant,
    .read = read_grant,
    .key_taken = grant_key_taken,
};

int rf__pg_grant_insert(rf_backend *backend, const char *practice, const rf_grant_record *record)
{
    return rf__pg_insert_record((rf_pg *)backend, &grant_kind, practice, record, record->id);
}

int rf__pg_grant_update(rf_backend *backend, const char *practice, const rf_grant_record *record)
{
    return rf__pg_update_record((rf_pg *)backend, &grant_kind, practice, record, record->id);
}

int rf__pg_grant_get(rf_backend *backend, const char *practice, const char *id, rf_grant_record *out)
{
    return rf__pg_lookup_record((rf_pg *)backend, &grant_kind, &grant_get, practice, id, "id", out,
                                sizeof *out);
}

int rf__pg_grant_get_by_key(rf_backend *backend, const char *practice, const char *grant_key,
                            rf_grant_record *out)
{
    return rf__pg_lookup_record((rf_pg *)backend, &grant_kind, &grant_get_by_key, practice, grant_key, "key",
                                out, sizeof *out);
}

/* An upper bound that may be unset: NULL then, which the filters read as none. */
static void param_bound(rf__pg_params *p, rf_time bound)
{
    if (bound == RF_TIME_UNSET) {
        rf__pg_param_null(p);
    } else {
        rf__pg_param_int(p, bound);
    }
}

/* $4-$10 of GRANT_FILTERS. */
static void bind_grant_query(rf__pg_params *p, const void *query)
{
    const rf_grant_query *q = query;
    rf__pg_param_text(p, q->recipient_id);
    rf__pg_param_text(p, q->referral_id);
    rf__pg_param_text(p, q->rule_id);
    rf__pg_param_int(p, q->status);
    param_bound(p, q->release_by);
    param_bound(p, q->expires_by);
    rf__pg_param_int(p, q->issued_from == RF_TIME_UNSET ? INT64_MIN : q->issued_from);
}

static int visit_grant(const rf__pg_scan *s)
{
    return s->fn.grant(s->record, s->payload);
}

/* The statement that starts from the most selective filter given, as in
 * sqlite_rewards.c: a referral's and a recipient's grants are few; the due
 * work (a status and a time bound) comes from its (status, time) index; a
 * rule may hold a great many grants, so its index comes last. */
static const rf__pg_stmt *grant_scan_stmt(const rf_grant_query *q)
{
    if (q->referral_id != NULL) {
        return &grant_scan_referral;
    }
    if (q->recipient_id != NULL) {
        return &grant_scan_recipient;
    }
    if (q->status != 0 && q->release_by != RF_TIME_UNSET) {
        return &grant_scan_release;
    }
    if (q->status != 0 && q->expires_by != RF_TIME_UNSET) {
        return &grant_scan_expiry;
    }
    if (q->rule_id != NULL) {
        return &grant_scan_rule;
    }
    return &grant_scan;
}

int rf__pg_grant_scan(rf_backend *backend, const char *practice, const rf_grant_query *query,
                      rf_grant_visit_fn visit, void *payload)
{
    static const rf_grant_query everything = {NULL,          NULL,          NULL,          NULL, 0,
                                              RF_TIME_UNSET, RF_TIME_UNSET, RF_TIME_UNSET, 0};
    const rf_grant_query *q = query != NULL ? query : &everything;
    rf_grant_record record;
    rf__pg_scan s = {.stmt = grant_scan_stmt(q),
                     .bind = bind_grant_query,
                     .query = q,
                     .after = q->after_id,
                     .limit = q->limit,
                     .cursor_col = 0,
                     .read = read_grant,
                     .record = &record,
                     .size = sizeof record,
                     .visit = visit_grant,
                     .fn.grant = visit,
                     .payload = payload,
                     .what = "scanning grants"};
    return rf__pg_run_scan((rf_pg *)backend, practice, &s);
}
