/* events.i: client events (events.h), with the patterns of handles.i:
 *
 * - rf_client_event is a self-freeing handle; `T **out` is the result;
 * - rf_client_event_iter iterates with __iter__/__next__ and keeps its store
 *   alive.
 *
 * The option structs (rf_client_event_options, rf_client_event_filter) are
 * dicts, see options.i. `value` is an int setting (None leaves it out, -1 is
 * refused); `amount` is int minor units as in rewards.i (a float is refused).
 * Which calls release the GIL is listed in referral.i. Include after
 * rewards.i (it uses RFPY_HANDLE, RFPY_ITERATOR and rfpy_opt_amount).
 */

%{
static int rfpy_client_event_field(void *opts, const char *key, PyObject *value, rfpy_keep *keep)
{
    rf_client_event_options *o = opts;
    RFPY_TEXT(party_id);
    RFPY_ENUM(type, rf_client_event_type);
    RFPY_TIME(at);
    RFPY_TEXT(practitioner_id);
    RFPY_SETTING(value);
    RFPY_TEXT(label);
    RFPY_AMOUNT(amount);
    RFPY_TEXT(currency);
    RFPY_TEXT(idempotency_key);
    return 1;
}

static int rfpy_client_event_filter_field(void *opts, const char *key, PyObject *value, rfpy_keep *keep)
{
    rf_client_event_filter *o = opts;
    RFPY_TEXT(party_id);
    RFPY_ENUM(type, rf_client_event_type);
    RFPY_TIME(from);
    RFPY_TIME(to);
    return 1;
}
%}

RFPY_OPTIONS(rf_client_event_options, RF_CLIENT_EVENT_OPTIONS_INIT, "client event", rfpy_client_event_field)
RFPY_OPTIONS(rf_client_event_filter, RF_CLIENT_EVENT_FILTER_INIT, "client event filter",
             rfpy_client_event_filter_field)

/* The filter is a dict (its "from" key is fine there); the ignored struct's
 * member would otherwise be renamed for being a Python keyword, with a warning. */
%rename(from_) rf_client_event_filter::from;

/* Option structs are dicts, so their initialisers are not needed. */
%ignore rf_client_event_options_init;
%ignore rf_client_event_filter_init;

RFPY_HANDLE(rf_client_event, rf_client_event_free)
RFPY_HANDLE(rf_client_event_iter, rf_client_event_iter_free)

RFPY_ITERATOR(rf_client_event_iter, rf_client_event, rf_client_event_iter_next)

/* An iterator keeps its store alive. */
%pythonappend rf_client_event_list %{
    val._store = store
%}

%include "referral/events.h"
