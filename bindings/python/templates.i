/* templates.i: message templates and rendering (templates.h), with the
 * patterns of handles.i:
 *
 * - rf_template is a self-freeing handle; `T **out` is the result;
 * - rf_template_name_at(i) gives the message names in their fixed order and
 *   None past the last;
 * - rf_task_render() returns the tuple (subject, body): subject is None when
 *   the template has none. Both strings are released with rf_free() here, on
 *   success and on failure alike.
 *
 * The option structs (rf_template_options, rf_render_options) are dicts, see
 * options.i. Text goes through the usual text typemap, so bytes reach the
 * library as they are and a lone surrogate as the invalid UTF-8 it encodes:
 * either is refused by the library's own check (InvalidArgument). Which calls
 * release the GIL is listed in referral.i. Include after outbox.i (rendering
 * is of a task).
 */

%{
static int rfpy_template_field(void *opts, const char *key, PyObject *value, rfpy_keep *keep)
{
    rf_template_options *o = opts;
    RFPY_TEXT(program_id);
    RFPY_TEXT(name);
    RFPY_TEXT(subject);
    RFPY_TEXT(body);
    RFPY_TEXT(idempotency_key);
    return 1;
}

static int rfpy_render_field(void *opts, const char *key, PyObject *value, rfpy_keep *keep)
{
    rf_render_options *o = opts;
    RFPY_TEXT(practice_name);
    RFPY_TEXT(link_base);
    return 1;
}

/* (subject or None, body) as a new tuple; NULL with a Python error set. */
static PyObject *rfpy_rendered(const char *subject, const char *body)
{
    PyObject *s = SWIG_FromCharPtr(subject);
    PyObject *b = s != NULL ? SWIG_FromCharPtr(body) : NULL;
    PyObject *pair = b != NULL ? PyTuple_Pack(2, s, b) : NULL;
    Py_XDECREF(s);
    Py_XDECREF(b);
    return pair;
}
%}

RFPY_OPTIONS(rf_template_options, RF_TEMPLATE_OPTIONS_INIT, "template", rfpy_template_field)
RFPY_OPTIONS(rf_render_options, RF_RENDER_OPTIONS_INIT, "render", rfpy_render_field)

/* Option structs are dicts, so their initialisers are not needed. */
%ignore rf_template_options_init;
%ignore rf_render_options_init;

RFPY_HANDLE(rf_template, rf_template_free)

/* rf_task_render(&subject, &body, ...) → (subject, body). SWIG's own way of
 * appending outputs drops a None that comes first, so the pair is built here.
 * The in-typemap runs before any argument is converted, so the freearg below
 * always sees the two cells, set or NULL. */
%typemap(in, numinputs=0, noblock=1) (char **subject_out, char **body_out)
    (char *subject_temp = NULL, char *body_temp = NULL) {
    $1 = &subject_temp;
    $2 = &body_temp;
}
%typemap(argout, noblock=1) (char **subject_out, char **body_out) {
    {
        PyObject *pair_ = rfpy_rendered(*$1, *$2);
        if (pair_ == NULL) {
            SWIG_fail;
        }
        $result = SWIG_Python_AppendOutput($result, pair_);
    }
}
%typemap(freearg, noblock=1) (char **subject_out, char **body_out) {
    rf_free(*$1);
    rf_free(*$2);
}

%include "referral/templates.h"
