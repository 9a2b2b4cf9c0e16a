/* rewards.i: reward rules, grants, the ledger, balances and tier progress
 * (rewards.h), with the patterns of handles.i:
 *
 * - rf_reward_rule, rf_grant, rf_ledger_entry, rf_balance and
 *   rf_tier_progress are self-freeing handles; `T **out` is the result;
 * - rf_reward_rule_iter, rf_grant_iter and rf_ledger_iter iterate with
 *   __iter__/__next__ and keep their store alive;
 * - rf_balance is a result object: len(b) rows, b[i] is the tuple
 *   (currency, available, pending, issued, redeemed, expired, reversed),
 *   currency None for the items row;
 * - rf_tier_progress_unlock() returns a rule borrowed from its progress
 *   report, which the rule proxy keeps alive;
 * - rf_reward_redeem() returns the units redeemed (an int) and
 *   rf_rewards_process() the list [released, expired]; its `now` takes None
 *   for the store's clock.
 *
 * The option structs (rf_reward_rule_options, rf_grant_filter,
 * rf_ledger_filter, rf_redeem_options) are dicts, see options.i. Amounts are
 * int minor units: a float is refused (TypeError) and an int outside int64,
 * or INT64_MIN (the "unset" marker), raises InvalidArgument. Which calls
 * release the GIL is listed in referral.i. Include after handles.i and
 * referrals.i (it uses RFPY_HANDLE, RFPY_ITERATOR and rf_referral_state).
 */

%{
/* An int64 amount whose "unset" marker is RF_AMOUNT_UNSET (INT64_MIN): None is
 * the only way to leave it out, and an int that does not fit is refused as the
 * library refuses an amount above RF_AMOUNT_MAX, not as an OverflowError. */
static int rfpy_opt_amount(PyObject *value, const char *name, int64_t *out)
{
    int overflow = 0;
    long long v;
    if (!PyLong_Check(value) || PyBool_Check(value)) {
        PyErr_Format(PyExc_TypeError, "%s must be an int (minor units), not %.80s", name,
                     Py_TYPE(value)->tp_name);
        return -1;
    }
    v = PyLong_AsLongLongAndOverflow(value, &overflow);
    if (v == -1 && PyErr_Occurred()) {
        return -1;
    }
    if (overflow != 0 || v == (long long)RF_AMOUNT_UNSET) {
        char message[160];
        PyOS_snprintf(message, sizeof message, "%.60s is out of range: at most %lld minor units", name,
                      (long long)RF_AMOUNT_MAX);
        rfpy_raise_message(RF_EINVALID, RF_ERRCLASS_ARGUMENT, message);
        return -1;
    }
    *out = (int64_t)v;
    return 0;
}

#define RFPY_AMOUNT(field_name)                                                                             \
    if (strcmp(key, #field_name) == 0)                                                                      \
    return rfpy_opt_amount(value, #field_name, &o->field_name)

static int rfpy_reward_rule_field(void *opts, const char *key, PyObject *value, rfpy_keep *keep)
{
    rf_reward_rule_options *o = opts;
    RFPY_TEXT(program_id);
    RFPY_TEXT(name);
    RFPY_ENUM(recipient, rf_reward_recipient);
    RFPY_ENUM(trigger, rf_referral_state);
    RFPY_ENUM(kind, rf_reward_kind);
    RFPY_AMOUNT(amount);
    RFPY_TEXT(currency);
    RFPY_SETTING(percent);
    RFPY_TEXT(item);
    RFPY_SETTING(expiry_days);
    RFPY_SETTING(hold_days);
    RFPY_SETTING(cap_count);
    RFPY_SETTING(cap_days);
    RFPY_SETTING(tier);
    RFPY_TEXT(idempotency_key);
    return 1;
}

static int rfpy_grant_filter_field(void *opts, const char *key, PyObject *value, rfpy_keep *keep)
{
    rf_grant_filter *o = opts;
    RFPY_TEXT(recipient_id);
    RFPY_TEXT(referral_id);
    RFPY_TEXT(rule_id);
    RFPY_ENUM(status, rf_grant_status);
    return 1;
}

static int rfpy_ledger_filter_field(void *opts, const char *key, PyObject *value, rfpy_keep *keep)
{
    rf_ledger_filter *o = opts;
    RFPY_TEXT(party_id);
    RFPY_TEXT(grant_id);
    if (strcmp(key, "after_seq") == 0) {
        long long v = 0;
        if (rfpy_opt_int64(value, "after_seq", LLONG_MIN, LLONG_MAX, &v) < 0) {
            return -1;
        }
        o->after_seq = (int64_t)v;
        return 0;
    }
    return 1;
}

static int rfpy_redeem_field(void *opts, const char *key, PyObject *value, rfpy_keep *keep)
{
    rf_redeem_options *o = opts;
    RFPY_TEXT(grant_id);
    RFPY_TEXT(party_id);
    RFPY_TEXT(currency);
    RFPY_AMOUNT(amount);
    RFPY_TEXT(reference);
    RFPY_TEXT(idempotency_key);
    return 1;
}
%}

RFPY_OPTIONS(rf_reward_rule_options, RF_REWARD_RULE_OPTIONS_INIT, "reward rule", rfpy_reward_rule_field)
RFPY_OPTIONS(rf_grant_filter, RF_GRANT_FILTER_INIT, "grant filter", rfpy_grant_filter_field)
RFPY_OPTIONS(rf_ledger_filter, RF_LEDGER_FILTER_INIT, "ledger filter", rfpy_ledger_filter_field)
RFPY_OPTIONS(rf_redeem_options, RF_REDEEM_OPTIONS_INIT, "redeem", rfpy_redeem_field)

/* Option structs are dicts, so their initialisers are not needed; the unset
 * marker is None in the dicts. */
%ignore rf_reward_rule_options_init;
%ignore rf_grant_filter_init;
%ignore rf_ledger_filter_init;
%ignore rf_redeem_options_init;
%ignore RF_AMOUNT_UNSET;

RFPY_HANDLE(rf_reward_rule, rf_reward_rule_free)
RFPY_HANDLE(rf_reward_rule_iter, rf_reward_rule_iter_free)
RFPY_HANDLE(rf_grant, rf_grant_free)
RFPY_HANDLE(rf_grant_iter, rf_grant_iter_free)
RFPY_HANDLE(rf_ledger_entry, rf_ledger_entry_free)
RFPY_HANDLE(rf_ledger_iter, rf_ledger_iter_free)
RFPY_HANDLE(rf_balance, rf_balance_free)
RFPY_HANDLE(rf_tier_progress, rf_tier_progress_free)

RFPY_ITERATOR(rf_reward_rule_iter, rf_reward_rule, rf_reward_rule_iter_next)
RFPY_ITERATOR(rf_grant_iter, rf_grant, rf_grant_iter_next)
RFPY_ITERATOR(rf_ledger_iter, rf_ledger_entry, rf_ledger_iter_next)

/* An iterator keeps its store alive. */
%pythonappend rf_reward_rule_list %{
    val._store = store
%}
%pythonappend rf_grant_list %{
    val._store = store
%}
%pythonappend rf_ledger_list %{
    val._store = store
%}

/* A rule a tier unlocks is borrowed from the progress report: the proxy holds
 * the report, so the rule stays valid as long as Python can reach it. */
%pythonappend rf_tier_progress_unlock %{
    if val is not None:
        val._parent = progress
%}

/* rf_reward_redeem(&redeemed, ...) returns the units redeemed. */
%typemap(in, numinputs=0, noblock=1) int64_t *redeemed_out (int64_t temp = 0) {
    $1 = &temp;
}
%typemap(argout, noblock=1) int64_t *redeemed_out {
    $result = SWIG_Python_AppendOutput($result, PyLong_FromLongLong((long long)*$1));
}

/* rf_rewards_process(&released, &expired, ...) returns [released, expired]. */
%typemap(in, numinputs=0, noblock=1) unsigned int *released_out (unsigned int temp = 0),
                                     unsigned int *expired_out (unsigned int temp = 0) {
    $1 = &temp;
}
%typemap(argout, noblock=1) unsigned int *released_out, unsigned int *expired_out {
    $result = SWIG_Python_AppendOutput($result, PyLong_FromUnsignedLong((unsigned long)*$1));
}

/* rf_rewards_process(..., now): None is RF_TIME_UNSET, the store's clock. */
%typemap(in, noblock=1) rf_time now {
    if ($input == Py_None) {
        $1 = RF_TIME_UNSET;
    } else if (rfpy_opt_time($input, "now", &$1) < 0) {
        SWIG_fail;
    }
}

/* The balance as a sequence of rows. */
%exception rf_balance::__getitem__ {
    $action
    if (result == NULL) {
        SWIG_fail;
    }
}
%extend rf_balance {
    size_t __len__() {
        return rf_balance_count($self);
    }
    /* (currency, available, pending, issued, redeemed, expired, reversed) of row @p row;
     * negative rows count from the end. */
    PyObject *__getitem__(long row) {
        size_t count = rf_balance_count($self);
        size_t i;
        if (row < 0) {
            row += (long)count;
        }
        if (row < 0 || (size_t)row >= count) {
            PyErr_SetString(PyExc_IndexError, "balance row out of range");
            return NULL;
        }
        i = (size_t)row;
        return Py_BuildValue("(zLLLLLL)", rf_balance_currency($self, i),
                             (long long)rf_balance_available($self, i), (long long)rf_balance_pending($self, i),
                             (long long)rf_balance_issued($self, i), (long long)rf_balance_redeemed($self, i),
                             (long long)rf_balance_expired($self, i), (long long)rf_balance_reversed($self, i));
    }
}

/* SWIG does not wrap a macro with a cast; defined here, before rewards.h
 * defines the macro for SWIG's preprocessor, the value is the C macro's. */
%constant long long RF_AMOUNT_MAX = RF_AMOUNT_MAX;

%include "referral/rewards.h"

/* Only rf_rewards_process() takes None for its `now`. */
%typemap(in) rf_time now;
