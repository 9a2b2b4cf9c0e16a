/* The SQLite backend's reward rules and grants (contract version 3): inserts,
 * updates, gets and scans, described to the machinery in sqlite_rows.c.
 * Column and parameter numbers follow RULE_COLUMNS and GRANT_COLUMNS in
 * sqlite_statements.c. */
#include "sqlite_internal.h"

#include <string.h>

/* ---- reward rules ---- */

#define RULE_TEXTS 5
#define RULE_INTS 10 /* recipient .. active, columns RULE_TEXTS.. */

static int read_rule(rf_sqlite *b, sqlite3_stmt *st, int copy, void *record)
{
    rf_reward_rule_record *out = record;
    const char **fields[RULE_TEXTS] = {&out->id, &out->program_id, &out->name, &out->currency, &out->item};
    int *ints[RULE_INTS] = {&out->recipient,   &out->trigger,   &out->kind,      &out->percent,
                            &out->expiry_days, &out->hold_days, &out->cap_count, &out->cap_days,
                            &out->tier,        &out->active};
    for (int i = 0; i < RULE_INTS; i++) {
        *ints[i] = sqlite3_column_int(st, RULE_TEXTS + i);
    }
    out->amount = sqlite3_column_int64(st, 15);
    out->created_at = sqlite3_column_int64(st, 16);
    out->updated_at = sqlite3_column_int64(st, 17);
    return rf__sqlite_read_texts(b, st, copy, fields, RULE_TEXTS);
}

static int bind_rule(sqlite3_stmt *st, const char *practice, const void *record)
{
    const rf_reward_rule_record *r = record;
    const char *texts[RULE_TEXTS] = {r->id, r->program_id, r->name, r->currency, r->item};
    const int ints[RULE_INTS] = {r->recipient, r->trigger,   r->kind,     r->percent, r->expiry_days,
                                 r->hold_days, r->cap_count, r->cap_days, r->tier,    r->active};
    rf__sqlite_binder bd = {st, SQLITE_OK};
    rf__sqlite_bind_text(&bd, 1, practice);
    for (int i = 0; i < RULE_TEXTS; i++) {
        rf__sqlite_bind_text(&bd, 2 + i, texts[i]);
    }
    for (int i = 0; i < RULE_INTS; i++) {
        rf__sqlite_bind_int(&bd, 2 + RULE_TEXTS + i, ints[i]);
    }
    rf__sqlite_bind_int(&bd, 17, r->amount);
    rf__sqlite_bind_int(&bd, 18, r->created_at);
    rf__sqlite_bind_int(&bd, 19, r->updated_at);
    return bd.rc;
}

/* Rules change seldom (a retirement, a new amount): one full update is enough. */
static const rf__sqlite_record_kind rule_kind = {
    .noun = "reward rule",
    .klass = RF_ERRCLASS_REWARD,
    .insert = RF_SQ_RULE_INSERT,
    .update = RF_SQ_RULE_UPDATE,
    .update_unkeyed = RF_SQ_COUNT,
    .inserting = "inserting a reward rule",
    .updating = "updating a reward rule",
    .reading = "reading a reward rule",
    .bind = bind_rule,
    .read = read_rule,
    .unique_column = NULL,
    .key_taken = NULL,
};

int rf__sqlite_reward_rule_insert(rf_backend *backend, const char *practice,
                                  const rf_reward_rule_record *record)
{
    return rf__sqlite_insert_record((rf_sqlite *)backend, &rule_kind, practice, record, record->id);
}

int rf__sqlite_reward_rule_update(rf_backend *backend, const char *practice,
                                  const rf_reward_rule_record *record)
{
    return rf__sqlite_update_record((rf_sqlite *)backend, &rule_kind, practice, record, record->id);
}

int rf__sqlite_reward_rule_get(rf_backend *backend, const char *practice, const char *id,
                               rf_reward_rule_record *out)
{
    return rf__sqlite_lookup_record((rf_sqlite *)backend, &rule_kind, RF_SQ_RULE_GET, practice, id, "id", out,
                                    sizeof *out);
}

typedef struct rule_query {
    const char *program_id;
    const char *after_id;
    unsigned int limit;
} rule_query;

/* ?4: the programme (RF_SQ_RULE_SCAN_PROGRAM only). */
static int bind_rule_page(sqlite3_stmt *st, const char *practice, const void *query)
{
    const rule_query *q = query;
    rf__sqlite_binder bd = {st, rf__sqlite_bind_page(st, practice, q->after_id, 3, q->limit)};
    if (q->program_id != NULL) {
        rf__sqlite_bind_text(&bd, 4, q->program_id);
    }
    return bd.rc;
}

static int visit_rule(const rf__sqlite_scan *s)
{
    return s->fn.reward_rule(s->record, s->payload);
}

int rf__sqlite_reward_rule_scan(rf_backend *backend, const char *practice, const char *program_id,
                                const char *after_id, unsigned int limit, rf_reward_rule_visit_fn visit,
                                void *payload)
{
    rule_query q = {program_id, after_id, limit};
    rf_reward_rule_record record;
    rf__sqlite_scan s = {.stmt = program_id != NULL ? RF_SQ_RULE_SCAN_PROGRAM : RF_SQ_RULE_SCAN,
                         .bind = bind_rule_page,
                         .query = &q,
                         .read = read_rule,
                         .record = &record,
                         .size = sizeof record,
                         .visit = visit_rule,
                         .fn.reward_rule = visit,
                         .payload = payload,
                         .what = "scanning reward rules"};
    return rf__sqlite_run_scan((rf_sqlite *)backend, practice, &s);
}

/* ---- grants ---- */

#define GRANT_TEXTS 8
#define GRANT_INTS 7   /* recipient .. status, columns GRANT_TEXTS.. */
#define GRANT_MONEY 15 /* column of amount, then units */
#define GRANT_TIMES 17 /* column of issued_at, then the five other times */

_Static_assert(GRANT_TEXTS <= RF_SQLITE_MAX_TEXTS, "scratch copy holds every text");
_Static_assert(GRANT_TEXTS + GRANT_INTS == GRANT_MONEY, "integers precede the amounts");

/* The record's text fields in column order. */
static void grant_texts(rf_grant_record *r, const char **fields[GRANT_TEXTS])
{
    const char **f[GRANT_TEXTS] = {&r->id,          &r->grant_key,    &r->rule_id,  &r->program_id,
                                   &r->referral_id, &r->recipient_id, &r->currency, &r->item};
    memcpy(fields, f, sizeof f);
}

static int read_grant(rf_sqlite *b, sqlite3_stmt *st, int copy, void *record)
{
    rf_grant_record *out = record;
    const char **fields[GRANT_TEXTS];
    grant_texts(out, fields);
    int *ints[GRANT_INTS] = {&out->recipient, &out->kind,       &out->rule_kind, &out->compliance,
                             &out->percent,   &out->tier_count, &out->status};
    for (int i = 0; i < GRANT_INTS; i++) {
        *ints[i] = sqlite3_column_int(st, GRANT_TEXTS + i);
    }
    out->amount = sqlite3_column_int64(st, GRANT_MONEY);
    out->units = sqlite3_column_int64(st, GRANT_MONEY + 1);
    /* An unset time is NULL in the table and reads back as 0. */
    rf_time *times[] = {&out->issued_at,  &out->release_at, &out->released_at,
                        &out->expires_at, &out->closed_at,  &out->updated_at};
    for (int i = 0; i < (int)(sizeof times / sizeof times[0]); i++) {
        *times[i] = sqlite3_column_int64(st, GRANT_TIMES + i);
    }
    return rf__sqlite_read_texts(b, st, copy, fields, GRANT_TEXTS);
}

static int bind_grant(sqlite3_stmt *st, const char *practice, const void *record)
{
    const rf_grant_record *r = record;
    const char *texts[GRANT_TEXTS] = {r->id,          r->grant_key,    r->rule_id,  r->program_id,
                                      r->referral_id, r->recipient_id, r->currency, r->item};
    const int ints[GRANT_INTS] = {r->recipient, r->kind,       r->rule_kind, r->compliance,
                                  r->percent,   r->tier_count, r->status};
    rf__sqlite_binder bd = {st, SQLITE_OK};
    rf__sqlite_bind_text(&bd, 1, practice);
    for (int i = 0; i < GRANT_TEXTS; i++) {
        rf__sqlite_bind_text(&bd, 2 + i, texts[i]);
    }
    for (int i = 0; i < GRANT_INTS; i++) {
        rf__sqlite_bind_int(&bd, 2 + GRANT_TEXTS + i, ints[i]);
    }
    rf__sqlite_bind_int(&bd, 2 + GRANT_MONEY, r->amount);
    rf__sqlite_bind_int(&bd, 3 + GRANT_MONEY, r->units);
    /* issued_at and updated_at are always set; the others store "not yet" (0) as NULL. */
    rf__sqlite_bind_int(&bd, 2 + GRANT_TIMES, r->issued_at);
    rf__sqlite_bind_time_or_null(&bd, 3 + GRANT_TIMES, r->release_at);
    rf__sqlite_bind_time_or_null(&bd, 4 + GRANT_TIMES, r->released_at);
    rf__sqlite_bind_time_or_null(&bd, 5 + GRANT_TIMES, r->expires_at);
    rf__sqlite_bind_time_or_null(&bd, 6 + GRANT_TIMES, r->closed_at);
    rf__sqlite_bind_int(&bd, 7 + GRANT_TIMES, r->updated_at);
    return bd.rc;
}

static int grant_key_taken(const char *practice, const void *record)
{
    const rf_grant_record *r = record;
    return rf__sqlite_fail(RF_EEXISTS, RF_ERRCLASS_REWARD,
                           "grant key '%s' is already taken in practice '%s': the reward was already granted",
                           r->grant_key, practice);
}

static const rf__sqlite_record_kind grant_kind = {
    .noun = "grant",
    .klass = RF_ERRCLASS_REWARD,
    .insert = RF_SQ_GRANT_INSERT,
    .update = RF_SQ_GRANT_UPDATE,
    .update_unkeyed = RF_SQ_GRANT_UPDATE_UNKEYED,
    .inserting = "inserting a grant",
    .updating = "updating a grant",
    .reading = "reading a grant",
    .bind = bind_grant,
    .read = read_grant,
    .unique_column = ".grant_key",
    .key_taken = grant_key_taken,
};

/* Keep @record as the grant last written or read (rf__sqlite_memo). Its
 * strings must not lie in the memo. */
static int remember(rf_sqlite *b, const char *practice, const rf_grant_record *record, int rc)
{
    const char **fields[GRANT_TEXTS];
    b->grant.r.grant = *record;
    grant_texts(&b->grant.r.grant, fields);
    return rf__sqlite_memo_keep(b, &b->grant, practice, fields, GRANT_TEXTS, rc);
}

int rf__sqlite_grant_insert(rf_backend *backend, const char *practice, const rf_grant_record *record)
{
    rf_sqlite *b = (rf_sqlite *)backend;
    return remember(b, practice, record,
                    rf__sqlite_insert_record(b, &grant_kind, practice, record, record->id));
}

int rf__sqlite_grant_update(rf_backend *backend, const char *practice, const rf_grant_record *record)
{
    rf_sqlite *b = (rf_sqlite *)backend;
    const rf_grant_record *memo = &b->grant.r.grant;
    /* An update never sets the grant key, so the row holds @record only when
     * its key is the stored one, which the memo knows when it holds this
     * grant; otherwise the memo is forgotten rather than guessed. */
    int keeps = rf__sqlite_memo_has(b, &b->grant, practice, record->id, memo->id) &&
                record->grant_key != NULL && strcmp(record->grant_key, memo->grant_key) == 0;
    int rc = rf__sqlite_update_record(b, &grant_kind, practice, record, record->id);
    if (!keeps) {
        b->grant.known = 0;
        return rc;
    }
    return remember(b, practice, record, rc);
}

/* Answer from the memo when it holds the grant whose @field (the id or the
 * key) is @value; 0 when the table must be read. */
static int from_memo(rf_sqlite *b, const char *practice, const char *value, const char *memo_value,
                     rf_grant_record *out)
{
    if (!rf__sqlite_memo_has(b, &b->grant, practice, value, memo_value)) {
        return 0;
    }
    const char **fields[GRANT_TEXTS];
    *out = b->grant.r.grant;
    grant_texts(out, fields);
    return rf__sqlite_copy_texts(&b->scratch, &b->scratch_cap, 0, fields, GRANT_TEXTS);
}

int rf__sqlite_grant_get(rf_backend *backend, const char *practice, const char *id, rf_grant_record *out)
{
    rf_sqlite *b = (rf_sqlite *)backend;
    if (from_memo(b, practice, id, b->grant.r.grant.id, out)) {
        return RF_OK;
    }
    int rc = rf__sqlite_lookup_record(b, &grant_kind, RF_SQ_GRANT_GET, practice, id, "id", out, sizeof *out);
    /* What was read lies in the scratch buffer, not in the memo. */
    return rc == RF_OK ? remember(b, practice, out, rc) : rc;
}

int rf__sqlite_grant_get_by_key(rf_backend *backend, const char *practice, const char *grant_key,
                                rf_grant_record *out)
{
    rf_sqlite *b = (rf_sqlite *)backend;
    if (from_memo(b, practice, grant_key, b->grant.r.grant.grant_key, out)) {
        return RF_OK;
    }
    int rc = rf__sqlite_lookup_record(b, &grant_kind, RF_SQ_GRANT_GET_BY_KEY, practice, grant_key, "key", out,
                                      sizeof *out);
    return rc == RF_OK ? remember(b, practice, out, rc) : rc;
}

/* An upper bound that may be unset: NULL then, which the filters read as none. */
static void bind_bound(rf__sqlite_binder *bd, int i, rf_time bound)
{
    if (bound == RF_TIME_UNSET) {
        if (bd->rc == SQLITE_OK) {
            bd->rc = sqlite3_bind_null(bd->st, i);
        }
    } else {
        rf__sqlite_bind_int(bd, i, bound);
    }
}

/* The parameters of GRANT_FILTERS (sqlite_statements.c). */
static int bind_grant_page(sqlite3_stmt *st, const char *practice, const void *query)
{
    const rf_grant_query *q = query;
    rf__sqlite_binder bd = {st, rf__sqlite_bind_page(st, practice, q->after_id, 3, q->limit)};
    rf__sqlite_bind_text(&bd, 4, q->recipient_id);
    rf__sqlite_bind_text(&bd, 5, q->referral_id);
    rf__sqlite_bind_text(&bd, 6, q->rule_id);
    rf__sqlite_bind_int(&bd, 7, q->status);
    bind_bound(&bd, 8, q->release_by);
    bind_bound(&bd, 9, q->expires_by);
    rf__sqlite_bind_int(&bd, 10, q->issued_from == RF_TIME_UNSET ? INT64_MIN : q->issued_from);
    return bd.rc;
}

static int visit_grant(const rf__sqlite_scan *s)
{
    return s->fn.grant(s->record, s->payload);
}

/* The statement that starts from the most selective filter given: a
 * referral's and a recipient's grants are few and come in id order from
 * their index; the work rf_rewards_process finds due (a status and a time
 * bound) is found by its (status, time) index and sorted, which reads only
 * what is due however many grants wait; a rule may hold a great many grants,
 * so its index comes last. */
static rf_sqlite_stmt_id grant_scan_stmt(const rf_grant_query *q)
{
    if (q->referral_id != NULL) {
        return RF_SQ_GRANT_SCAN_REFERRAL;
    }
    if (q->recipient_id != NULL) {
        return RF_SQ_GRANT_SCAN_RECIPIENT;
    }
    if (q->status != 0 && q->release_by != RF_TIME_UNSET) {
        return RF_SQ_GRANT_SCAN_RELEASE;
    }
    if (q->status != 0 && q->expires_by != RF_TIME_UNSET) {
        return RF_SQ_GRANT_SCAN_EXPIRY;
    }
    if (q->rule_id != NULL) {
        return RF_SQ_GRANT_SCAN_RULE;
    }
    return RF_SQ_GRANT_SCAN;
}

int rf__sqlite_grant_scan(rf_backend *backend, const char *practice, const rf_grant_query *query,
                          rf_grant_visit_fn visit, void *payload)
{
    static const rf_grant_query everything = {NULL,          NULL,          NULL,          NULL, 0,
                                              RF_TIME_UNSET, RF_TIME_UNSET, RF_TIME_UNSET, 0};
    const rf_grant_query *q = query != NULL ? query : &everything;
    rf_grant_record record;
    rf__sqlite_scan s = {.stmt = grant_scan_stmt(q),
                         .bind = bind_grant_page,
                         .query = q,
                         .read = read_grant,
                         .record = &record,
                         .size = sizeof record,
                         .visit = visit_grant,
                         .fn.grant = visit,
                         .payload = payload,
                         .what = "scanning grants"};
    return rf__sqlite_run_scan((rf_sqlite *)backend, practice, &s);
}
