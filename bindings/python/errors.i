/* errors.i: rf_status → typed Python exceptions.
 *
 * The exception classes are made in %init (libdnf bindings/swig/error.i style)
 * and re-exported from the module through %pythoncode:
 *
 *   ReferralError (Exception)        any failure; .code, .error_class, .message
 *   ├─ NotFound (+ LookupError)      RF_ENOTFOUND
 *   ├─ AlreadyExists                 RF_EEXISTS
 *   ├─ InvalidArgument (+ ValueError) RF_EINVALID
 *   ├─ Conflict                      RF_ECONFLICT
 *   ├─ IllegalTransition             RF_ESTATE
 *   ├─ StorageError                  RF_EBACKEND, RF_EBUSY, RF_EVERSION
 *   ├─ OutOfMemory (+ MemoryError)   RF_ENOMEM
 *   ├─ PolicyViolation               RF_EPOLICY (a programme's fraud guard refused)
 *   ├─ InsufficientBalance           RF_EBALANCE (a redemption above what is available)
 *   └─ IntegrityError                RF_EINTEGRITY (an audit found stored records that disagree)
 *
 * args[0] (and so str(exc) and .message) is the C library's message, taken
 * from rf_error_last() right after the failing call on the same thread.
 */

%{
static PyObject *rfpy_exc_base;
static PyObject *rfpy_exc_notfound;
static PyObject *rfpy_exc_exists;
static PyObject *rfpy_exc_invalid;
static PyObject *rfpy_exc_conflict;
static PyObject *rfpy_exc_state;
static PyObject *rfpy_exc_storage;
static PyObject *rfpy_exc_nomem;
static PyObject *rfpy_exc_policy;
static PyObject *rfpy_exc_balance;
static PyObject *rfpy_exc_integrity;

static PyObject *rfpy_exception_for(rf_status code)
{
    switch (code) {
    case RF_ENOTFOUND: return rfpy_exc_notfound;
    case RF_EEXISTS: return rfpy_exc_exists;
    case RF_EINVALID: return rfpy_exc_invalid;
    case RF_ECONFLICT: return rfpy_exc_conflict;
    case RF_ESTATE: return rfpy_exc_state;
    case RF_EBACKEND:
    case RF_EBUSY:
    case RF_EVERSION: return rfpy_exc_storage;
    case RF_ENOMEM: return rfpy_exc_nomem;
    case RF_EPOLICY: return rfpy_exc_policy;
    case RF_EBALANCE: return rfpy_exc_balance;
    case RF_EINTEGRITY: return rfpy_exc_integrity;
    default: return rfpy_exc_base;
    }
}

/* Raise the exception for @p code with @p message (UTF-8). */
static void rfpy_raise_message(rf_status code, int klass, const char *message)
{
    PyObject *cls = rfpy_exception_for(code);
    PyObject *text = PyUnicode_DecodeUTF8(message, (Py_ssize_t)strlen(message), "replace");
    PyObject *exc = text != NULL ? PyObject_CallFunctionObjArgs(cls, text, NULL) : NULL;
    if (exc != NULL) {
        PyObject *code_obj = PyLong_FromLong((long)code);
        PyObject *klass_obj = PyLong_FromLong((long)klass);
        if (code_obj != NULL && klass_obj != NULL && PyObject_SetAttrString(exc, "code", code_obj) == 0 &&
            PyObject_SetAttrString(exc, "error_class", klass_obj) == 0) {
            PyErr_SetObject(cls, exc);
        }
        Py_XDECREF(code_obj);
        Py_XDECREF(klass_obj);
        Py_DECREF(exc);
    }
    Py_XDECREF(text);
}

/* Raise the exception for a failed call, with the thread's last error message. */
static void rfpy_raise(rf_status code)
{
    const rf_error *e = rf_error_last();
    if (e != NULL && e->code == code && e->message != NULL) {
        rfpy_raise_message(code, (int)e->klass, e->message);
    } else {
        /* The library returned a code without recording it (should not happen). */
        rfpy_raise_message(code, RF_ERRCLASS_NONE, rf_strerror(code));
    }
}

static PyObject *rfpy_new_exception(PyObject *module, const char *name, PyObject *bases, rf_status code,
                                    const char *doc)
{
    PyObject *dict = PyDict_New();
    PyObject *code_obj = PyLong_FromLong((long)code);
    PyObject *cls = NULL;
    char qualified[64];
    if (dict != NULL && code_obj != NULL && PyDict_SetItemString(dict, "code", code_obj) == 0) {
        PyOS_snprintf(qualified, sizeof qualified, "referral.%s", name);
        cls = PyErr_NewExceptionWithDoc(qualified, doc, bases, dict);
    }
    Py_XDECREF(dict);
    Py_XDECREF(code_obj);
    if (cls != NULL) {
        Py_INCREF(cls); /* one reference stays in the static pointer */
        if (PyModule_AddObject(module, name, cls) < 0) {
            Py_DECREF(cls);
        }
    }
    return cls;
}

static PyObject *rfpy_new_subclass(PyObject *module, const char *name, PyObject *extra_base, rf_status code,
                                   const char *doc)
{
    PyObject *bases = extra_base != NULL ? PyTuple_Pack(2, rfpy_exc_base, extra_base)
                                         : PyTuple_Pack(1, rfpy_exc_base);
    PyObject *cls = bases != NULL ? rfpy_new_exception(module, name, bases, code, doc) : NULL;
    Py_XDECREF(bases);
    return cls;
}

static int rfpy_init_exceptions(PyObject *m)
{
    rfpy_exc_base = rfpy_new_exception(m, "ReferralError", NULL, RF_ERROR,
                                       "A libreferral call failed; .code is the rf_status, .message the reason.");
    if (rfpy_exc_base == NULL) {
        return -1;
    }
    rfpy_exc_notfound = rfpy_new_subclass(m, "NotFound", PyExc_LookupError, RF_ENOTFOUND,
                                          "The record asked for does not exist (RF_ENOTFOUND).");
    rfpy_exc_exists = rfpy_new_subclass(m, "AlreadyExists", NULL, RF_EEXISTS,
                                        "A record with that unique key already exists (RF_EEXISTS).");
    rfpy_exc_invalid = rfpy_new_subclass(m, "InvalidArgument", PyExc_ValueError, RF_EINVALID,
                                         "An argument is malformed or out of range (RF_EINVALID).");
    rfpy_exc_conflict = rfpy_new_subclass(m, "Conflict", NULL, RF_ECONFLICT,
                                          "The call collides with another, e.g. idempotency key reuse (RF_ECONFLICT).");
    rfpy_exc_state = rfpy_new_subclass(m, "IllegalTransition", NULL, RF_ESTATE,
                                       "The record is not in a state that allows the call (RF_ESTATE).");
    rfpy_exc_storage = rfpy_new_subclass(m, "StorageError", NULL, RF_EBACKEND,
                                         "The storage failed, was busy, or has an unusable version "
                                         "(RF_EBACKEND, RF_EBUSY, RF_EVERSION).");
    rfpy_exc_nomem = rfpy_new_subclass(m, "OutOfMemory", PyExc_MemoryError, RF_ENOMEM,
                                       "libreferral ran out of memory (RF_ENOMEM).");
    rfpy_exc_policy = rfpy_new_subclass(m, "PolicyViolation", NULL, RF_EPOLICY,
                                        "A programme's policy refused the call, e.g. a fraud guard "
                                        "under fraud_action=block (RF_EPOLICY).");
    rfpy_exc_balance = rfpy_new_subclass(m, "InsufficientBalance", NULL, RF_EBALANCE,
                                         "A redemption asked for more than is available; nothing was "
                                         "redeemed (RF_EBALANCE).");
    rfpy_exc_integrity = rfpy_new_subclass(m, "IntegrityError", NULL, RF_EINTEGRITY,
                                           "An audit found stored records that contradict each other "
                                           "(RF_EINTEGRITY).");
    if (rfpy_exc_notfound == NULL || rfpy_exc_exists == NULL || rfpy_exc_invalid == NULL ||
        rfpy_exc_conflict == NULL || rfpy_exc_state == NULL || rfpy_exc_storage == NULL ||
        rfpy_exc_nomem == NULL || rfpy_exc_policy == NULL || rfpy_exc_balance == NULL ||
        rfpy_exc_integrity == NULL) {
        return -1;
    }
    return 0;
}
%}

%init %{
    if (rfpy_init_exceptions(m) < 0) {
        return NULL;
    }
%}

/* Every rf_status result: failures raise, RF_OK and RF_ITEROVER return nothing
 * of their own (an iterator's `next` then yields None; `__next__` turns
 * RF_ITEROVER into StopIteration, see handles.i). */
%typemap(out) rf_status {
    if ($1 < 0 && $1 != RF_ITEROVER) {
        rfpy_raise($1);
        SWIG_fail;
    }
    $result = SWIG_Py_Void();
}
/* ...except where an rf_status is data: rf_error_last().code. */
%typemap(out, noblock=1) rf_status code {
    $result = PyLong_FromLong((long)$1);
}

%pythoncode %{
ReferralError = _core.ReferralError
NotFound = _core.NotFound
AlreadyExists = _core.AlreadyExists
InvalidArgument = _core.InvalidArgument
Conflict = _core.Conflict
IllegalTransition = _core.IllegalTransition
StorageError = _core.StorageError
OutOfMemory = _core.OutOfMemory
PolicyViolation = _core.PolicyViolation
InsufficientBalance = _core.InsufficientBalance
IntegrityError = _core.IntegrityError


def _referral_error_message(self):
    """The C library's message (args[0])."""
    return str(self.args[0]) if self.args else ""


ReferralError.message = property(_referral_error_message)
ReferralError.error_class = 0  # RF_ERRCLASS_NONE
del _referral_error_message
%}
