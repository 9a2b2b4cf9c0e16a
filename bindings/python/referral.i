/* referral.i: the SWIG interface of libreferral for Python.
 *
 * This builds the low-level extension `referral._core` with its proxy module
 * `referral.core`. It stays close to the C API (same function names, same
 * argument order minus the `out` parameters); the Pythonic surface is the
 * hand-written package in referral/ (Store, Party, Code, Event).
 *
 * Conventions of this module:
 * - every rf_status result raises a ReferralError subclass on failure
 *   (errors.i); functions that only return a status return None;
 * - `T **out` parameters become return values and the result owns itself
 *   (handles.i); iterators support the iterator protocol;
 * - text is str (UTF-8) in and out; option structs are dicts (options.i);
 * - the GIL is released around calls that reach the storage backend;
 * - a store's clock can be pinned to a wrapper-owned cell (Clock below) so
 *   that tests are deterministic.
 *
 * Parts: errors.i, options.i, handles.i, referrals.i (programmes, touches,
 * referrals), rewards.i (reward rules, grants, the ledger, balances, tiers),
 * events.i (client events), outbox.i (tasks, draining, delivery reports),
 * templates.i (message templates, rendering a task's message), kpis.i (KPI
 * reports of a period).
 */
%module(package="referral", threads="1") core

%{
#include "referral.h"
%}

%include <stdint.i>
%include <typemaps.i>

/* --- the GIL ------------------------------------------------------------------
 * threads="1" makes SWIG able to release the GIL; by default it does not
 * (accessors and pure computations are cheap), and it does around each call
 * that reaches the storage backend. */
%nothread;
%thread rf_store_open;
%thread rf_store_free;
%thread rf_store_begin;
%thread rf_store_commit;
%thread rf_store_rollback;
%thread rf_party_add;
%thread rf_party_get;
%thread rf_party_find_external;
%thread rf_party_update;
%thread rf_party_list;
%thread rf_party_iter_next;
%thread rf_party_iter::__next__;
%thread rf_code_issue;
%thread rf_code_lookup;
%thread rf_code_resolve;
%thread rf_code_use;
%thread rf_code_revoke;
%thread rf_code_list;
%thread rf_code_iter_next;
%thread rf_code_iter::__next__;
%thread rf_journal_read;
%thread rf_journal_iter_next;
%thread rf_journal_iter::__next__;
%thread rf_journal_last_seq;
%thread rf_program_create;
%thread rf_program_get;
%thread rf_program_find;
%thread rf_program_update;
%thread rf_program_list;
%thread rf_program_iter_next;
%thread rf_program_iter::__next__;
%thread rf_touch_add;
%thread rf_referral_create;
%thread rf_referral_get;
%thread rf_referral_advance;
%thread rf_referral_resume;
%thread rf_referral_receive_document;
%thread rf_referral_list;
%thread rf_referral_iter_next;
%thread rf_referral_iter::__next__;
%thread rf_referrer_view_open;
%thread rf_referrer_view_next;
%thread rf_referrer_view::__next__;
%thread rf_partner_exchange_compute;
%thread rf_reward_rule_add;
%thread rf_reward_rule_get;
%thread rf_reward_rule_retire;
%thread rf_reward_rule_list;
%thread rf_reward_rule_iter_next;
%thread rf_reward_rule_iter::__next__;
%thread rf_grant_get;
%thread rf_grant_list;
%thread rf_grant_iter_next;
%thread rf_grant_iter::__next__;
%thread rf_ledger_list;
%thread rf_ledger_iter_next;
%thread rf_ledger_iter::__next__;
%thread rf_reward_balance;
%thread rf_reward_audit;
%thread rf_reward_redeem;
%thread rf_rewards_process;
%thread rf_reward_progress;
%thread rf_client_event_add;
%thread rf_client_event_list;
%thread rf_client_event_iter_next;
%thread rf_client_event_iter::__next__;
%thread rf_tasks_due;
%thread rf_task_list;
%thread rf_task_iter_next;
%thread rf_task_iter::__next__;
%thread rf_task_get;
%thread rf_task_sent;
%thread rf_task_acked;
%thread rf_task_failed;
%thread rf_task_cancel;
%thread rf_task_set_outcome;
%thread rf_template_save;
%thread rf_template_get;
%thread rf_task_render;
%thread rf_kpi_compute;
%thread rf_kpi_table_compute;

%include "errors.i"
%include "options.i"
%include "handles.i"

/* --- what is not wrapped, and why ------------------------------------------ */
/* Raw memory: the typemaps release what the library hands out. */
%ignore rf_free;
/* Option structs are dicts (options.i), so their initialisers are not needed. */
%ignore rf_store_options_init;
%ignore rf_party_options_init;
%ignore rf_party_filter_init;
%ignore rf_code_options_init;
%ignore rf_program_options_init;
%ignore rf_referral_options_init;
%ignore rf_referral_filter_init;
/* A C function pointer cannot come from Python; use Clock / rfpy_store_use_clock. */
%ignore rf_store_set_clock;
/* Backends built by hand are for C backend authors: a Python caller opens by
 * URI. (rf_store_open_backend takes ownership only on success, which a proxy
 * cannot express safely.) */
%ignore rf_store_open_backend;
%ignore rf_backend_memory_new;
%ignore rf_backend_sqlite_new;
%ignore rf_backend_postgres_new;
%ignore rf_backend_free;
/* "No value" markers of option structs; the dicts use None instead. */
%ignore RF_TIME_UNSET;
%ignore RF_UNSET;

/* rf_version(&major, &minor, &patch) returns a tuple. */
%apply int *OUTPUT { int *major, int *minor, int *patch };

/* The last error is read-only and borrowed from the library. */
%nodefaultctor rf_error;
%nodefaultdtor rf_error;
%immutable rf_error::code;
%immutable rf_error::klass;
%immutable rf_error::message;

%include "referral/common.h"
%include "referral/errors.h"
%include "referral/version.h"
%include "referral/store.h"
%include "referral/party.h"
%include "referral/code.h"
%include "referral/journal.h"
/* After code.h: referral.h uses rf_channel and rf_code_style. */
%include "referrals.i"
/* After referrals.i: rewards.h uses rf_referral_state. */
%include "rewards.i"
/* After rewards.i: client events use its amounts. */
%include "events.i"
/* After code.h: tasks use rf_channel. */
%include "outbox.i"
/* After outbox.i: a task's message is rendered. */
%include "templates.i"
/* After referrals.i: a KPI filter uses rf_channel and rf_referral_source. */
%include "kpis.i"

/* --- a wrapper-owned clock ---------------------------------------------------
 * rf_store_set_clock() wants a C function; this one reads an int64 cell that
 * Python owns (Clock.now). It is private to the extension, not part of
 * libreferral. rfpy_store_use_clock(store, clock) pins the store to the
 * clock (the store proxy keeps the clock alive); rfpy_store_use_clock(store,
 * None) goes back to the system clock. */
%{
typedef struct rfpy_clock {
    rf_time now;
} rfpy_clock;

static rf_time rfpy_clock_read(void *ctx)
{
    return ((const rfpy_clock *)ctx)->now;
}

static rf_status rfpy_store_use_clock(rf_store *store, rfpy_clock *clock)
{
    return clock != NULL ? rf_store_set_clock(store, rfpy_clock_read, clock)
                         : rf_store_set_clock(store, NULL, NULL);
}
%}

%rename(Clock) rfpy_clock;
%nodefaultctor rfpy_clock;
%nodefaultdtor rfpy_clock;
typedef struct rfpy_clock {
    rf_time now; /* seconds since 1970 (UTC) */
} rfpy_clock;
%exception rfpy_clock::rfpy_clock {
    $action
    if (result == NULL) {
        PyErr_NoMemory();
        SWIG_fail;
    }
}
%extend rfpy_clock {
    rfpy_clock(rf_time now = 0) {
        rfpy_clock *clock = (rfpy_clock *)calloc(1, sizeof *clock);
        if (clock != NULL) {
            clock->now = now;
        }
        return clock;
    }
    ~rfpy_clock() {
        free($self);
    }
}

%pythonappend rfpy_store_use_clock %{
    store._clock = clock
%}
rf_status rfpy_store_use_clock(rf_store *store, rfpy_clock *clock);

%pythoncode %{
__version__ = rf_version_string()
%}
