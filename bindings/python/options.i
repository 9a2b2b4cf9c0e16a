/* options.i: text arguments and option structs.
 *
 * Text: a `const char *` argument accepts str (encoded to UTF-8), bytes (passed
 * as they are) or None (NULL). Lone surrogates are encoded with
 * "surrogatepass", so they reach the library as the invalid UTF-8 they are and
 * the library refuses them with its own RF_EINVALID message. A NUL character
 * would silently cut the text short in C, so it raises InvalidArgument here.
 *
 * Option structs (rf_store_options, rf_party_options, rf_party_filter,
 * rf_code_options, rf_program_options, rf_touch_options, rf_referral_options,
 * rf_advance_options, rf_referral_filter, and those of rewards.i, events.i and
 * outbox.i) are not
 * wrapped as classes: a parameter of that type takes a dict whose keys are
 * the struct's field names (None or a missing key means "unset", exactly as
 * *_INIT leaves it) or None for the defaults. Enum fields take ints; the
 * facade maps names to ints.
 * Unknown keys raise TypeError so a misspelt option never passes silently.
 * The text values are held for the whole call, which runs without the GIL. Integer settings whose "unset"
 * marker is RF_UNSET (-1) refuse -1 with InvalidArgument rather than take it
 * for "unset": None is the only way to leave a setting out.
 */

%{
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* Python objects whose buffers an option struct borrows during one call. */
#define RFPY_KEEP_MAX 16
typedef struct rfpy_keep {
    int n;
    PyObject *obj[RFPY_KEEP_MAX];
} rfpy_keep;

static void rfpy_keep_release(rfpy_keep *keep)
{
    for (int i = 0; i < keep->n; i++) {
        Py_DECREF(keep->obj[i]);
    }
    keep->n = 0;
}

/* Text argument @p value → UTF-8 in *out, borrowed from *hold (a new reference
 * the caller releases, or NULL). None gives NULL. */
static int rfpy_text(PyObject *value, const char *name, const char **out, PyObject **hold)
{
    PyObject *bytes;
    *out = NULL;
    *hold = NULL;
    if (value == Py_None) {
        return 0;
    }
    if (PyUnicode_Check(value)) {
        bytes = PyUnicode_AsEncodedString(value, "utf-8", "surrogatepass");
        if (bytes == NULL) {
            return -1;
        }
    } else if (PyBytes_Check(value)) {
        Py_INCREF(value);
        bytes = value;
    } else {
        PyErr_Format(PyExc_TypeError, "%s must be str, bytes or None, not %.80s", name, Py_TYPE(value)->tp_name);
        return -1;
    }
    if (strlen(PyBytes_AS_STRING(bytes)) != (size_t)PyBytes_GET_SIZE(bytes)) {
        char message[160];
        PyOS_snprintf(message, sizeof message, "%.60s contains a NUL character", name);
        Py_DECREF(bytes);
        rfpy_raise_message(RF_EINVALID, RF_ERRCLASS_ARGUMENT, message);
        return -1;
    }
    *out = PyBytes_AS_STRING(bytes);
    *hold = bytes;
    return 0;
}

static int rfpy_opt_text(PyObject *value, const char *name, const char **out, rfpy_keep *keep)
{
    PyObject *hold = NULL;
    if (keep->n >= RFPY_KEEP_MAX) {
        PyErr_SetString(PyExc_TypeError, "too many text options");
        return -1;
    }
    if (rfpy_text(value, name, out, &hold) < 0) {
        return -1;
    }
    if (hold != NULL) {
        keep->obj[keep->n++] = hold;
    }
    return 0;
}

static int rfpy_opt_int64(PyObject *value, const char *name, long long lo, long long hi, long long *out)
{
    long long v;
    if (!PyLong_Check(value) || PyBool_Check(value)) {
        PyErr_Format(PyExc_TypeError, "%s must be an int, not %.80s", name, Py_TYPE(value)->tp_name);
        return -1;
    }
    v = PyLong_AsLongLong(value);
    if (v == -1 && PyErr_Occurred()) {
        return -1;
    }
    if (v < lo || v > hi) {
        PyErr_Format(PyExc_OverflowError, "%s %lld is out of range", name, v);
        return -1;
    }
    *out = v;
    return 0;
}

static int rfpy_opt_int(PyObject *value, const char *name, int *out)
{
    long long v = 0;
    if (rfpy_opt_int64(value, name, INT_MIN, INT_MAX, &v) < 0) {
        return -1;
    }
    *out = (int)v;
    return 0;
}

static int rfpy_opt_time(PyObject *value, const char *name, rf_time *out)
{
    long long v = 0;
    if (rfpy_opt_int64(value, name, LLONG_MIN, LLONG_MAX, &v) < 0) {
        return -1;
    }
    *out = (rf_time)v;
    return 0;
}

static int rfpy_opt_setting(PyObject *value, const char *name, int *out)
{
    if (rfpy_opt_int(value, name, out) < 0) {
        return -1;
    }
    if (*out == RF_UNSET) {
        char message[160];
        PyOS_snprintf(message, sizeof message, "%.60s %d is out of range; give None to leave it unset", name,
                      RF_UNSET);
        rfpy_raise_message(RF_EINVALID, RF_ERRCLASS_ARGUMENT, message);
        return -1;
    }
    return 0;
}

static int rfpy_unknown_option(PyObject *key, const char *what)
{
    PyErr_Format(PyExc_TypeError, "unknown %s option %R", what, key);
    return -1;
}

/* Walk @p dict, calling @p field for every key whose value is not None. */
typedef int (*rfpy_field_fn)(void *opts, const char *key, PyObject *value, rfpy_keep *keep);

static int rfpy_fill(void *opts, PyObject *dict, const char *what, rfpy_field_fn field, rfpy_keep *keep)
{
    PyObject *key;
    PyObject *value;
    Py_ssize_t pos = 0;
    if (!PyDict_Check(dict)) {
        PyErr_Format(PyExc_TypeError, "%s options must be a dict or None, not %.80s", what,
                     Py_TYPE(dict)->tp_name);
        return -1;
    }
    while (PyDict_Next(dict, &pos, &key, &value)) {
        const char *k = PyUnicode_Check(key) ? PyUnicode_AsUTF8(key) : NULL;
        int rc;
        if (k == NULL) {
            if (!PyErr_Occurred()) {
                rfpy_unknown_option(key, what);
            }
            return -1;
        }
        if (value == Py_None) {
            continue;
        }
        rc = field(opts, k, value, keep);
        if (rc > 0) {
            return rfpy_unknown_option(key, what);
        }
        if (rc < 0) {
            return -1;
        }
    }
    return 0;
}

/* Each field function returns 0 (set), -1 (Python error) or 1 (unknown key). */
#define RFPY_TEXT(field_name)                                                                               \
    if (strcmp(key, #field_name) == 0)                                                                      \
    return rfpy_opt_text(value, #field_name, &o->field_name, keep)
#define RFPY_ENUM(field_name, type)                                                                         \
    if (strcmp(key, #field_name) == 0) {                                                                    \
        int v_ = 0;                                                                                         \
        if (rfpy_opt_int(value, #field_name, &v_) < 0)                                                      \
            return -1;                                                                                      \
        o->field_name = (type)v_;                                                                           \
        return 0;                                                                                           \
    }
/* An int setting whose "unset" marker is RF_UNSET: -1 from Python is refused. */
#define RFPY_SETTING(field_name)                                                                            \
    if (strcmp(key, #field_name) == 0)                                                                      \
    return rfpy_opt_setting(value, #field_name, &o->field_name)
#define RFPY_TIME(field_name)                                                                               \
    if (strcmp(key, #field_name) == 0)                                                                      \
    return rfpy_opt_time(value, #field_name, &o->field_name)

static int rfpy_store_field(void *opts, const char *key, PyObject *value, rfpy_keep *keep)
{
    rf_store_options *o = opts;
    RFPY_TEXT(practice);
    RFPY_TEXT(phone_region);
    if (strcmp(key, "seed") == 0) {
        unsigned long long v;
        if (!PyLong_Check(value)) {
            PyErr_Format(PyExc_TypeError, "seed must be an int, not %.80s", Py_TYPE(value)->tp_name);
            return -1;
        }
        v = PyLong_AsUnsignedLongLong(value);
        if (v == (unsigned long long)-1 && PyErr_Occurred()) {
            return -1;
        }
        o->seed = (uint64_t)v;
        return 0;
    }
    return 1;
}

static int rfpy_party_field(void *opts, const char *key, PyObject *value, rfpy_keep *keep)
{
    rf_party_options *o = opts;
    RFPY_ENUM(kind, rf_party_kind);
    RFPY_TEXT(external_id);
    RFPY_TEXT(display_name);
    RFPY_TEXT(email);
    RFPY_TEXT(phone);
    RFPY_ENUM(consent, int);
    RFPY_ENUM(payer, rf_payer);
    RFPY_TEXT(segment);
    RFPY_TEXT(practitioner_id);
    RFPY_TIME(first_visit_at);
    RFPY_ENUM(intake, rf_intake);
    RFPY_TEXT(intake_detail);
    RFPY_TEXT(idempotency_key);
    RFPY_ENUM(preferred_channel, rf_channel);
    return 1;
}

static int rfpy_filter_field(void *opts, const char *key, PyObject *value, rfpy_keep *keep)
{
    rf_party_filter *o = opts;
    RFPY_ENUM(kind, rf_party_kind);
    RFPY_TEXT(contact);
    return 1;
}

static int rfpy_code_field(void *opts, const char *key, PyObject *value, rfpy_keep *keep)
{
    rf_code_options *o = opts;
    RFPY_ENUM(style, rf_code_style);
    RFPY_TEXT(vanity_base);
    RFPY_TEXT(program_id);
    RFPY_ENUM(channel, rf_channel);
    RFPY_TIME(expires_at);
    RFPY_ENUM(max_uses, int);
    RFPY_TEXT(idempotency_key);
    return 1;
}

static int rfpy_program_field(void *opts, const char *key, PyObject *value, rfpy_keep *keep)
{
    rf_program_options *o = opts;
    RFPY_TEXT(name);
    RFPY_SETTING(window_days);
    RFPY_ENUM(attribution, rf_attribution_model);
    RFPY_SETTING(exclude_existing_clients);
    RFPY_ENUM(code_style, rf_code_style);
    RFPY_SETTING(auto_issue_code);
    RFPY_ENUM(fraud_action, rf_fraud_action);
    RFPY_SETTING(velocity_cap);
    RFPY_SETTING(velocity_window_days);
    RFPY_TEXT(idempotency_key);
    RFPY_SETTING(clawback);
    RFPY_SETTING(compliance_mode);
    RFPY_SETTING(ask_enabled);
    RFPY_SETTING(ask_nps_threshold);
    RFPY_SETTING(ask_after_first_visit_days);
    RFPY_SETTING(ask_on_anniversary);
    RFPY_SETTING(ask_on_milestone);
    RFPY_SETTING(ask_on_discharge);
    RFPY_SETTING(ask_on_praise);
    RFPY_SETTING(ask_on_payment);
    RFPY_SETTING(ask_cooldown_days);
    RFPY_SETTING(ask_yearly_cap);
    RFPY_SETTING(new_client_days);
    RFPY_SETTING(sla_urgent_hours);
    RFPY_SETTING(sla_routine_hours);
    return 1;
}

static int rfpy_touch_field(void *opts, const char *key, PyObject *value, rfpy_keep *keep)
{
    rf_touch_options *o = opts;
    RFPY_ENUM(channel, rf_channel);
    RFPY_TEXT(idempotency_key);
    return 1;
}

static int rfpy_referral_field(void *opts, const char *key, PyObject *value, rfpy_keep *keep)
{
    rf_referral_options *o = opts;
    RFPY_TEXT(program_id);
    RFPY_TEXT(referee_id);
    RFPY_ENUM(direction, rf_direction);
    RFPY_TEXT(target_id);
    RFPY_TEXT(code);
    RFPY_TEXT(visitor_key);
    RFPY_TEXT(referrer_id);
    RFPY_ENUM(source, rf_referral_source);
    RFPY_ENUM(channel, rf_channel);
    RFPY_TEXT(reason);
    RFPY_ENUM(care_level, rf_care_level);
    RFPY_ENUM(urgency, rf_urgency);
    RFPY_TEXT(preferred_timing);
    RFPY_TEXT(practitioner_id);
    RFPY_TEXT(variant);
    RFPY_TEXT(documents_required);
    RFPY_TEXT(documents_received);
    RFPY_TEXT(idempotency_key);
    return 1;
}

static int rfpy_advance_field(void *opts, const char *key, PyObject *value, rfpy_keep *keep)
{
    rf_advance_options *o = opts;
    RFPY_TEXT(reason);
    RFPY_TIME(appointment_at);
    RFPY_TEXT(idempotency_key);
    return 1;
}

static int rfpy_referral_filter_field(void *opts, const char *key, PyObject *value, rfpy_keep *keep)
{
    rf_referral_filter *o = opts;
    RFPY_TEXT(program_id);
    RFPY_TEXT(referrer_id);
    RFPY_TEXT(referee_id);
    RFPY_ENUM(direction, rf_direction);
    RFPY_TIME(received_from);
    RFPY_TIME(received_to);
    return 1;
}
%}

/* const char * arguments (not results, not struct members). */
%typemap(in, noblock=1) const char * (PyObject *hold = NULL) {
    if (rfpy_text($input, "$1_name", (const char **)&$1, &hold) < 0) {
        SWIG_fail;
    }
}
%typemap(freearg, noblock=1) const char * {
    Py_XDECREF(hold$argnum);
}
%typemap(typecheck, precedence=SWIG_TYPECHECK_STRING) const char * {
    $1 = $input == Py_None || PyUnicode_Check($input) || PyBytes_Check($input);
}

/* Option structs from dicts. */
%define RFPY_OPTIONS(TYPE, INIT, WHAT, FIELD_FN)
%typemap(in, noblock=1) const TYPE * (TYPE opts, rfpy_keep keep, int held = 0) {
    if ($input == Py_None) {
        $1 = NULL;
    } else {
        TYPE init_ = INIT;
        opts = init_;
        keep.n = 0;
        held = 1;
        if (rfpy_fill(&opts, $input, WHAT, FIELD_FN, &keep) < 0) {
            SWIG_fail;
        }
        $1 = &opts;
    }
}
%typemap(freearg, noblock=1) const TYPE * {
    if (held$argnum) {
        rfpy_keep_release(&keep$argnum);
    }
}
%ignore TYPE;
%enddef

RFPY_OPTIONS(rf_store_options, RF_STORE_OPTIONS_INIT, "store", rfpy_store_field)
RFPY_OPTIONS(rf_party_options, RF_PARTY_OPTIONS_INIT, "party", rfpy_party_field)
RFPY_OPTIONS(rf_party_filter, RF_PARTY_FILTER_INIT, "party filter", rfpy_filter_field)
RFPY_OPTIONS(rf_code_options, RF_CODE_OPTIONS_INIT, "code", rfpy_code_field)
RFPY_OPTIONS(rf_program_options, RF_PROGRAM_OPTIONS_INIT, "programme", rfpy_program_field)
RFPY_OPTIONS(rf_touch_options, RF_TOUCH_OPTIONS_INIT, "touch", rfpy_touch_field)
RFPY_OPTIONS(rf_referral_options, RF_REFERRAL_OPTIONS_INIT, "referral", rfpy_referral_field)
RFPY_OPTIONS(rf_advance_options, RF_ADVANCE_OPTIONS_INIT, "advance", rfpy_advance_field)
RFPY_OPTIONS(rf_referral_filter, RF_REFERRAL_FILTER_INIT, "referral filter", rfpy_referral_filter_field)
