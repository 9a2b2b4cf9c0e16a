/* The referral lifecycle: the table of legal moves, FHIR mapping, advancing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "referral/journal.h"
#include "referral/party.h"
#include "core/outbox_internal.h"
#include "core/referrals.h"
#include "core/rewards.h"
#include "store/store_internal.h"
#include "util/error.h"
#include "util/text.h"

#define BIT(state) (1u << (state))

/* The table in ARCHITECTURE.md, one row per state: the states it may move to.
 * ENTERED_IN_ERROR (from anywhere) and ON_HOLD (from any non-terminal state,
 * back only to the state it left) are handled beside it. */
static const unsigned int legal_moves[RF_REFERRAL_STATE_COUNT] = {
    [RF_REFERRAL_RECEIVED] = BIT(RF_REFERRAL_NEEDS_INFO) | BIT(RF_REFERRAL_ACCEPTED) |
                             BIT(RF_REFERRAL_DECLINED) | BIT(RF_REFERRAL_CANCEL_REQUESTED),
    [RF_REFERRAL_NEEDS_INFO] = BIT(RF_REFERRAL_RECEIVED) | BIT(RF_REFERRAL_ACCEPTED) |
                               BIT(RF_REFERRAL_DECLINED) | BIT(RF_REFERRAL_CANCEL_REQUESTED),
    [RF_REFERRAL_ACCEPTED] = BIT(RF_REFERRAL_SCHEDULED) | BIT(RF_REFERRAL_DECLINED) |
                             BIT(RF_REFERRAL_CANCEL_REQUESTED) | BIT(RF_REFERRAL_LOST),
    [RF_REFERRAL_SCHEDULED] = BIT(RF_REFERRAL_SCHEDULED) | BIT(RF_REFERRAL_NO_SHOW) |
                              BIT(RF_REFERRAL_APPT_CANCELLED) | BIT(RF_REFERRAL_SEEN) |
                              BIT(RF_REFERRAL_CANCEL_REQUESTED),
    [RF_REFERRAL_NO_SHOW] =
        BIT(RF_REFERRAL_SCHEDULED) | BIT(RF_REFERRAL_CANCEL_REQUESTED) | BIT(RF_REFERRAL_LOST),
    [RF_REFERRAL_APPT_CANCELLED] =
        BIT(RF_REFERRAL_SCHEDULED) | BIT(RF_REFERRAL_CANCEL_REQUESTED) | BIT(RF_REFERRAL_LOST),
    [RF_REFERRAL_SEEN] = BIT(RF_REFERRAL_SEEN) | BIT(RF_REFERRAL_SCHEDULED) | BIT(RF_REFERRAL_CLOSED),
    [RF_REFERRAL_CANCEL_REQUESTED] = BIT(RF_REFERRAL_CANCELLED) | BIT(RF_REFERRAL_CLOSED),
};

static const char *const state_names[RF_REFERRAL_STATE_COUNT] = {
    "UNSET",     "RECEIVED",       "NEEDS_INFO", "ACCEPTED", "SCHEDULED",
    "NO_SHOW",   "APPT_CANCELLED", "SEEN",       "CLOSED",   "CANCEL_REQUESTED",
    "CANCELLED", "DECLINED",       "LOST",       "ON_HOLD",  "ENTERED_IN_ERROR",
};

int rf__state_valid(int state)
{
    return state > RF_REFERRAL_STATE_UNSET && state < RF_REFERRAL_STATE_COUNT;
}

const char *rf_referral_state_name(rf_referral_state state)
{
    return rf__state_valid(state) ? state_names[state] : "UNSET";
}

int rf_referral_state_is_terminal(rf_referral_state state)
{
    return state == RF_REFERRAL_CLOSED || state == RF_REFERRAL_DECLINED || state == RF_REFERRAL_CANCELLED ||
           state == RF_REFERRAL_LOST || state == RF_REFERRAL_ENTERED_IN_ERROR;
}

int rf_referral_state_can_move(rf_referral_state from, rf_referral_state to)
{
    if (!rf__state_valid(from) || !rf__state_valid(to)) {
        return 0;
    }
    if (to == RF_REFERRAL_ENTERED_IN_ERROR) {
        return from != RF_REFERRAL_ENTERED_IN_ERROR;
    }
    if (to == RF_REFERRAL_ON_HOLD) {
        return !rf_referral_state_is_terminal(from) && from != RF_REFERRAL_ON_HOLD;
    }
    return (legal_moves[from] & BIT(to)) != 0;
}

/* A move is legal by the table, or it resumes a hold to the state it left. */
static int move_is_legal(const rf_referral_record *r, rf_referral_state to)
{
    if (r->state == RF_REFERRAL_ON_HOLD && to != RF_REFERRAL_ENTERED_IN_ERROR) {
        return (int)to == r->held_state;
    }
    return rf_referral_state_can_move((rf_referral_state)r->state, to);
}

static void describe_legal(const rf_referral_record *r, char *out, size_t size)
{
    size_t len = 0;
    out[0] = '\0';
    for (int to = 1; to < RF_REFERRAL_STATE_COUNT; to++) {
        if (move_is_legal(r, (rf_referral_state)to)) {
            len += (size_t)snprintf(out + len, size - len, "%s%s", len > 0 ? ", " : "", state_names[to]);
        }
    }
}

static const struct {
    const char *status, *business;
} fhir[RF_REFERRAL_STATE_COUNT] = {
    [RF_REFERRAL_RECEIVED] = {"received", "received"},
    [RF_REFERRAL_NEEDS_INFO] = {"received", "needs-information"},
    [RF_REFERRAL_ACCEPTED] = {"accepted", "accepted"},
    [RF_REFERRAL_SCHEDULED] = {"in-progress", "appointment-scheduled"},
    [RF_REFERRAL_NO_SHOW] = {"in-progress", "no-show"},
    [RF_REFERRAL_APPT_CANCELLED] = {"in-progress", "appointment-cancelled"},
    [RF_REFERRAL_SEEN] = {"in-progress", "seen"},
    [RF_REFERRAL_CLOSED] = {"completed", "closed"},
    [RF_REFERRAL_CANCEL_REQUESTED] = {"in-progress", "cancellation-requested"},
    [RF_REFERRAL_CANCELLED] = {"cancelled", "cancelled"},
    [RF_REFERRAL_DECLINED] = {"rejected", "declined"},
    [RF_REFERRAL_LOST] = {"failed", "lost-to-follow-up"},
    [RF_REFERRAL_ON_HOLD] = {"on-hold", "on-hold"},
    [RF_REFERRAL_ENTERED_IN_ERROR] = {"entered-in-error", "entered-in-error"},
};

rf_status rf_referral_state_fhir(rf_referral_state state, const char **task_status,
                                 const char **business_status)
{
    if (task_status != NULL) {
        *task_status = NULL;
    }
    if (business_status != NULL) {
        *business_status = NULL;
    }
    if (!rf__state_valid(state)) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_REFERRAL, "%d is not a referral state", (int)state);
    }
    if (task_status != NULL) {
        *task_status = fhir[state].status;
    }
    if (business_status != NULL) {
        *business_status = fhir[state].business;
    }
    return RF_OK;
}

/* --- advancing ------------------------------------------------------------------ */

static int needs_reason(rf_referral_state to)
{
    return to == RF_REFERRAL_DECLINED || to == RF_REFERRAL_CANCELLED || to == RF_REFERRAL_LOST ||
           to == RF_REFERRAL_ON_HOLD;
}

static rf_status check_move(const rf_referral_record *r, rf_referral_state to, const rf_advance_options *o)
{
    if (!move_is_legal(r, to)) {
        char legal[256];
        describe_legal(r, legal, sizeof legal);
        return rf__error(RF_ESTATE, RF_ERRCLASS_REFERRAL,
                         "referral %s is %s and cannot move to %s (it may move to: %s)", r->id,
                         state_names[r->state], state_names[to], legal[0] != '\0' ? legal : "nothing");
    }
    if (needs_reason(to) && (o->reason == NULL || o->reason[0] == '\0')) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_REFERRAL, "moving referral %s to %s needs a reason", r->id,
                         state_names[to]);
    }
    int resuming = r->state == RF_REFERRAL_ON_HOLD;
    if (to == RF_REFERRAL_SCHEDULED && !resuming &&
        (o->appointment_at == RF_TIME_UNSET || o->appointment_at <= 0)) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_REFERRAL,
                         "moving referral %s to SCHEDULED needs the appointment time (appointment_at)",
                         r->id);
    }
    return RF_OK;
}

/* Apply a legal move to the record: state, first-reached times, counters, appointment, hold. */
static void apply_move(rf_referral_record *r, rf_referral_state to, const rf_advance_options *o, rf_time now)
{
    rf_referral_state from = (rf_referral_state)r->state;
    r->updated_at = now;
    if (o->reason != NULL && o->reason[0] != '\0') {
        r->reason = o->reason;
    }
    if (from == RF_REFERRAL_ON_HOLD && to != RF_REFERRAL_ENTERED_IN_ERROR) {
        /* Resuming returns to where it was: nothing else happened. */
        r->state = to;
        r->held_state = 0;
        return;
    }
    r->held_state = to == RF_REFERRAL_ON_HOLD ? (int)from : 0;
    if (to == RF_REFERRAL_SCHEDULED) {
        r->reschedules += from == RF_REFERRAL_SCHEDULED;
        r->appointment_at = o->appointment_at;
        if (r->first_appointment_at == RF_TIME_NONE) {
            r->first_appointment_at = o->appointment_at;
        }
    }
    r->no_shows += to == RF_REFERRAL_NO_SHOW;
    r->visits += to == RF_REFERRAL_SEEN;
    if (to == RF_REFERRAL_ENTERED_IN_ERROR) {
        r->attribution_key = NULL; /* the referee may be attributed afresh */
    }
    if (r->reached_at[to] == RF_TIME_NONE) {
        r->reached_at[to] = now;
    }
    r->state = to;
}

/* Closing an inbound referral means the referee became a client: a LEAD turns
 * CLIENT, and the programme may issue them a code of their own. */
static rf_status on_closed(rf_store *store, const rf_referral_record *r)
{
    rf_party *referee = NULL;
    rf_status rc = rf__party_load(store, r->referee_id, &referee);
    if (rc != RF_OK) {
        return rc;
    }
    if (referee->r.kind == RF_PARTY_LEAD) {
        rf_party_options ch = RF_PARTY_OPTIONS_INIT;
        ch.kind = RF_PARTY_CLIENT;
        if (referee->r.first_visit_at == RF_TIME_NONE) {
            rf_time seen = r->reached_at[RF_REFERRAL_SEEN];
            ch.first_visit_at = seen != RF_TIME_NONE ? seen : rf_store_now(store);
        }
        /* The referee was just read in this transaction: rf_party_update
         * would read it again and open a level of its own, where this call's
         * level does as well (on failure the move and the party change are
         * rolled back together, as the two levels' rollbacks did). */
        rc = rf__party_update_loaded(store, referee, &ch);
    }
    rf_party_free(referee);
    rf_program *program = NULL;
    if (rc == RF_OK && (rc = rf__program_load(store, r->program_id, &program)) == RF_OK &&
        program->s.auto_issue_code) {
        rf_code_options co = RF_CODE_OPTIONS_INIT;
        co.style = (rf_code_style)program->s.code_style;
        co.program_id = r->program_id;
        rf_code *code = NULL;
        rc = rf_code_issue(&code, store, r->referee_id, &co);
        rf_code_free(code);
    }
    rf_program_free(program);
    return rc;
}

static void fingerprint_move(rf_fingerprint *fp, const char *operation, const char *id, rf_referral_state to,
                             const rf_advance_options *o)
{
    rf__fp_init(fp, operation);
    rf__fp_str(fp, id);
    rf__fp_int(fp, to);
    rf__fp_str(fp, o->reason);
    rf__fp_int(fp, o->appointment_at);
}

rf_status rf_advance_options_init(rf_advance_options *opts, unsigned int version)
{
    static const rf_advance_options init = RF_ADVANCE_OPTIONS_INIT;
    return rf__options_init(opts, sizeof init, &init, version, "rf_advance_options",
                            "RF_ADVANCE_OPTIONS_INIT");
}

/* One move, inside its own transaction level. @to is the target state, or
 * UNSET for a resume, whose target (the held state) is read inside the
 * transaction; the two are separate operations for idempotency keys. */
static rf_status move_referral(rf_referral **out, rf_store *store, const char *id, rf_referral_state to,
                               const rf_advance_options *opts)
{
    const char *operation = to == RF_REFERRAL_STATE_UNSET ? "referral.resume" : "referral.advance";
    rf_fingerprint fp;
    fingerprint_move(&fp, operation, id, to, opts);
    rf_status rc = rf__tx_begin(store);
    if (rc != RF_OK) {
        return rc;
    }
    char replay_id[RF_ID_BUFSIZE];
    if ((rc = rf__idem_replay(store, opts->idempotency_key, operation, &fp, replay_id)) != RF_OK) {
        return rf__tx_abort(store, rc);
    }
    if (replay_id[0] != '\0') {
        rf__tx_close_unchanged(store);
        return out != NULL ? rf__referral_load(store, replay_id, out) : RF_OK;
    }
    rf_referral *current = NULL;
    if ((rc = rf__referral_load(store, id, &current)) != RF_OK) {
        return rf__tx_abort(store, rc);
    }
    rf_referral_record rec = current->r;
    rf_referral_state from = (rf_referral_state)rec.state;
    if (to == RF_REFERRAL_STATE_UNSET) {
        if (from != RF_REFERRAL_ON_HOLD) {
            rc = rf__error(RF_ESTATE, RF_ERRCLASS_REFERRAL,
                           "referral %s is %s, not ON_HOLD: there is nothing to resume", rec.id,
                           state_names[from]);
        }
        to = (rf_referral_state)rec.held_state;
    }
    char data[96];
    rf_referral *moved = NULL;
    if (rc == RF_OK && (rc = check_move(&rec, to, opts)) == RF_OK) {
        apply_move(&rec, to, opts, rf_store_now(store));
        int n = snprintf(data, sizeof data, "from=%s;to=%s", state_names[from], state_names[to]);
        if (from == RF_REFERRAL_SCHEDULED && to == RF_REFERRAL_SCHEDULED) {
            snprintf(data + n, sizeof data - (size_t)n, ";reschedules=%d", rec.reschedules);
        }
        rc = (rf_status)store->backend->referral_update(store->backend, store->practice, &rec);
    }
    if (rc == RF_OK) {
        rc = rf__journal_append(store, RF_EVENT_REFERRAL_ADVANCED, rec.id, rec.referrer_id,
                                opts->idempotency_key, data);
    }
    if (rc == RF_OK && to == RF_REFERRAL_CLOSED && rec.direction == RF_DIRECTION_INBOUND) {
        rc = on_closed(store, &rec);
    }
    if (rc == RF_OK) {
        rc = rf__rewards_on_move(store, &rec, current->r.reached_at[to] == RF_TIME_NONE);
    }
    if (rc == RF_OK) {
        rc = rf__loop_on_move(store, &rec, current->r.reached_at[to] == RF_TIME_NONE);
    }
    if (rc == RF_OK) {
        rc = rf__idem_remember(store, opts->idempotency_key, operation, &fp, rec.id);
    }
    if (rc == RF_OK && out != NULL && (moved = rf__referral_from_record(&rec)) == NULL) {
        rc = RF_ENOMEM;
    }
    rf_referral_free(current);
    if (rc != RF_OK) {
        return rf__tx_abort(store, rc);
    }
    if ((rc = rf__tx_commit(store)) != RF_OK) {
        rf_referral_free(moved);
        return rc;
    }
    if (out != NULL) {
        *out = moved;
    }
    return RF_OK;
}

static rf_status check_move_args(rf_store *store, const char *id, const rf_advance_options *opts)
{
    rf_status rc;
    if ((rc = rf__check_arg(store, "store")) != RF_OK || (rc = rf__check_arg(id, "id")) != RF_OK ||
        (rc = rf__store_require(store, 2, "referrals")) != RF_OK ||
        (rc = rf__check_version("rf_advance_options", opts->version, RF_ADVANCE_OPTIONS_VERSION,
                                "RF_ADVANCE_OPTIONS_INIT")) != RF_OK ||
        (rc = rf__check_text("reason", opts->reason, RF_DETAIL_MAX, 0, RF_ERRCLASS_REFERRAL)) != RF_OK) {
        return rc;
    }
    return rf__idem_check_key(opts->idempotency_key);
}

rf_status rf_referral_advance(rf_referral **out, rf_store *store, const char *id, rf_referral_state to,
                              const rf_advance_options *opts)
{
    if (out != NULL) {
        *out = NULL;
    }
    rf_advance_options defaults = RF_ADVANCE_OPTIONS_INIT;
    rf_status rc = check_move_args(store, id, opts != NULL ? opts : &defaults);
    if (rc != RF_OK) {
        return rc;
    }
    if (!rf__state_valid(to)) {
        return rf__error(RF_EINVALID, RF_ERRCLASS_REFERRAL, "%d is not a referral state", (int)to);
    }
    return move_referral(out, store, id, to, opts != NULL ? opts : &defaults);
}

rf_status rf_referral_resume(rf_referral **out, rf_store *store, const char *id, const char *idempotency_key)
{
    if (out != NULL) {
        *out = NULL;
    }
    rf_advance_options o = RF_ADVANCE_OPTIONS_INIT;
    o.idempotency_key = idempotency_key;
    rf_status rc = check_move_args(store, id, &o);
    return rc != RF_OK ? rc : move_referral(out, store, id, RF_REFERRAL_STATE_UNSET, &o);
}
