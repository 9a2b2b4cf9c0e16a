/* handles.i: opaque handles as self-freeing proxy classes, `T **out` output
 * parameters as return values (python-gphoto2 style) and iterators with
 * __iter__/__next__ (libsolv style).
 *
 * Ownership: everything that comes back through `T **out` belongs to Python
 * (SWIG_POINTER_OWN) and is freed by its %extend destructor when the proxy
 * goes away; the explicit rf_*_free functions are %delobject, so calling one
 * disowns the proxy, and they then clear the proxy's pointer: a later call
 * passes NULL, which the library refuses (RF_EINVALID) and accessors answer
 * with None, instead of touching freed memory.
 *
 * Lifetime: a C iterator points into its store, so rf_party_list(),
 * rf_code_list() and rf_journal_read() keep a reference to the store proxy on
 * the iterator they return. Freeing the store explicitly while an iterator is
 * alive is a use-after-free; the facade (referral/_store.py) closes its
 * iterators before it closes the store.
 */

%{
/* After an explicit free: the proxy forgets the pointer. */
static void rfpy_forget(PyObject *proxy)
{
    SwigPyObject *sobj = SWIG_Python_GetSwigThis(proxy);
    if (sobj != NULL) {
        sobj->ptr = NULL;
    }
}
%}

/* SWIG sees empty structs so that it makes proxy classes; C sees only the
 * opaque typedefs of the public headers. */
%define RFPY_HANDLE(TYPE, FREE)
%nodefaultctor TYPE;
%nodefaultdtor TYPE;
typedef struct TYPE {} TYPE;
%extend TYPE {
    ~TYPE() { FREE($self); }
}
%delobject FREE;
%exception FREE {
    $action
    rfpy_forget(swig_obj[0]);
}
%typemap(in, numinputs=0, noblock=1) TYPE **out (TYPE *temp = NULL) {
    $1 = &temp;
}
%typemap(argout, noblock=1) TYPE **out {
    $result = SWIG_Python_AppendOutput($result, SWIG_NewPointerObj(SWIG_as_voidptr(*$1), $*1_descriptor,
                                                                   SWIG_POINTER_OWN));
}
%enddef

RFPY_HANDLE(rf_store, rf_store_free)
RFPY_HANDLE(rf_party, rf_party_free)
RFPY_HANDLE(rf_party_iter, rf_party_iter_free)
RFPY_HANDLE(rf_code, rf_code_free)
RFPY_HANDLE(rf_code_iter, rf_code_iter_free)
RFPY_HANDLE(rf_event, rf_event_free)
RFPY_HANDLE(rf_journal_iter, rf_journal_iter_free)

/* rf_journal_last_seq(int64_t *out, ...) returns an int. */
%typemap(in, numinputs=0, noblock=1) int64_t *out (int64_t temp = 0) {
    $1 = &temp;
}
%typemap(argout, noblock=1) int64_t *out {
    $result = SWIG_Python_AppendOutput($result, PyLong_FromLongLong((long long)*$1));
}

/* rf_contact_key(char **out, ...) returns a str; the C string is released with rf_free. */
%typemap(in, numinputs=0, noblock=1) char **out (char *temp = NULL) {
    $1 = &temp;
}
%typemap(argout, noblock=1) char **out {
    $result = SWIG_Python_AppendOutput($result, SWIG_FromCharPtr(*$1));
}
%typemap(freearg, noblock=1) char **out {
    rf_free(*$1);
}

/* Iterators: __next__ returns the next record and raises StopIteration at
 * RF_ITEROVER; other failures raise through the rf_status typemap. The
 * %exception must come before the %extend that declares __next__. */
%define RFPY_ITERATOR(ITER, ITEM, NEXT)
%exception ITER::__next__ {
    $action
    if (result == RF_ITEROVER) {
        PyErr_SetNone(PyExc_StopIteration);
        SWIG_fail;
    }
}
%extend ITER {
    rf_status __next__(ITEM **out) {
        return NEXT(out, $self);
    }
    %pythoncode %{
        def __iter__(self):
            return self
    %}
}
%enddef

RFPY_ITERATOR(rf_party_iter, rf_party, rf_party_iter_next)
RFPY_ITERATOR(rf_code_iter, rf_code, rf_code_iter_next)
RFPY_ITERATOR(rf_journal_iter, rf_event, rf_journal_iter_next)

/* An iterator keeps its store alive. */
%pythonappend rf_party_list %{
    val._store = store
%}
%pythonappend rf_code_list %{
    val._store = store
%}
%pythonappend rf_journal_read %{
    val._store = store
%}
