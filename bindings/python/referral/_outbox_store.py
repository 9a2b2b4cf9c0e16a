"""store.outbox: draining due tasks, reporting what became of them, and the
words of each message (store.outbox.templates, store.outbox.render)."""

from . import core
from ._outbox import AskOutcome, Task, TaskKind, TaskState
from ._referral_store import _enum, _program_id, _referral_id
from ._referrals import _time_arg
from ._store import _Iterator, _party_id, _text
from ._templates import TEMPLATE_NAMES, Rendered, Template

__all__ = ["Outbox", "Templates"]


def _task_id(value):
    """The id of a Task or an id string."""
    if isinstance(value, Task):
        return value.id
    return _text(value, "task")


def _lease_token(task, lease_token):
    """The token given, else the one the Task was handed out with."""
    if lease_token is not None:
        return _text(lease_token, "lease_token")
    return task.lease_token if isinstance(task, Task) else None


class Outbox:
    """``store.outbox``: what the host must send or do, when and to whom.

    The library writes tasks as referrals move, rewards are granted and
    client events arrive; the host drains the due ones with due(), delivers
    them and reports sent() then acked(), or failed() (retried with back-off
    until the attempts are used up). Draining is safe from several processes:
    each task is handed out under a lease to one drain at a time.

        for task in store.outbox.due():
            try:
                deliver(task)                    # the host's own sending
            except DeliveryError as e:
                store.outbox.failed(task, str(e))
            else:
                store.outbox.sent(task)
    """

    def __init__(self, store):
        self._store = store

    @property
    def templates(self):
        """The words of each message, built in and the practice's own: see Templates."""
        return Templates(self._store)

    def _task(self, fn, task, *args):
        """Report on ``task`` and return it as it is now."""
        store = self._store
        task_id = _task_id(task)
        with store._lock:
            fn(store._handle(), task_id, *args)
            return Task._from_c(core.rf_task_get(store._handle(), task_id))

    # --- draining -------------------------------------------------------------------------

    def due(self, now=None, lease_seconds=None, limit=None, kind=None):
        """Do the time-driven work due at ``now`` (datetime or int seconds; None:
        the store's clock) — SLA breaches, asks that fall due by date — then
        iterate over the due tasks, oldest first, leasing each as it is handed
        out: it is this caller's for ``lease_seconds`` (10..86400, default
        300), then another drain may take it. ``limit`` (1..10000) hands out at
        most that many; ``kind`` only tasks of one TaskKind.

        Report each task with sent() or failed() before its lease ends.
        """
        opts = {"lease_seconds": lease_seconds, "limit": limit, "kind": _enum(TaskKind, kind, "kind")}
        store = self._store
        with store._lock:
            h = core.rf_tasks_due(store._handle(), _time_arg(now, "now"), opts)
            return _Iterator(store, h, Task._from_c, core.rf_task_iter_free)

    def list(self, party=None, referral=None, kind=None, state=None):
        """Iterate over tasks, oldest first, without leasing them, optionally
        only one ``party``'s, one ``referral``'s (records or ids), of one
        ``kind`` or in one ``state``."""
        flt = {
            "party_id": None if party is None else _party_id(party),
            "referral_id": None if referral is None else _referral_id(referral),
            "kind": _enum(TaskKind, kind, "kind"),
            "state": _enum(TaskState, state, "state"),
        }
        store = self._store
        with store._lock:
            h = core.rf_task_list(store._handle(), flt)
            return _Iterator(store, h, Task._from_c, core.rf_task_iter_free)

    def __iter__(self):
        return self.list()

    def get(self, id):
        """The task with this id; NotFound otherwise."""
        return Task._from_c(self._store._call(core.rf_task_get, _task_id(id)))

    def render(self, task, *, practice_name=None, link_base=None):
        """``task``'s message (a Task or an id) as its recipient gets it, with
        the template that applies (see Templates.get): a Rendered (subject, body).

        Values are escaped for the task's channel (HTML for e-mail; as they are
        for SMS and in-person scripts, and in a subject line); values the
        recipient may not see are left out, their fallback written instead.
        ``practice_name`` fills {{practice.name}}; ``link_base`` is the prefix
        of {{code.link}} (the code's text is appended). Rendering changes
        nothing. NotFound for an unknown task; InvalidArgument for a task
        without a message, a practice name or link base that is not one line of
        text, or output over 64 KiB.
        """
        opts = {"practice_name": practice_name, "link_base": link_base}
        subject, body = self._store._call(core.rf_task_render, _task_id(task), opts)
        return Rendered(subject, body)

    # --- the host's reports -------------------------------------------------------------------

    def sent(self, task, lease_token=None):
        """Report ``task`` (a Task from due(), or an id with its ``lease_token``)
        sent and return it (SENT). Reporting it again with the same token
        changes nothing. Conflict when the lease ended or the token is not the
        holder's; IllegalTransition when the task is closed."""
        return self._task(core.rf_task_sent, task, _lease_token(task, lease_token))

    def acked(self, task):
        """Report delivery confirmed (or the thing done) and return the task
        (ACKED, closed). IllegalTransition unless it is SENT (or ACKED already)."""
        return self._task(core.rf_task_acked, task)

    def failed(self, task, error=None, lease_token=None):
        """Report a failed delivery attempt with the host's reason ``error``
        (no personal data) and return the task: PENDING again after the
        back-off (1 min, doubling, at most 6 h), or FAILED when its attempts
        are used up. Conflict and IllegalTransition as for sent()."""
        return self._task(core.rf_task_failed, task, _lease_token(task, lease_token), error)

    def cancel(self, task, reason=None):
        """Withdraw a task that is not closed and return it (CANCELLED);
        IllegalTransition when it is closed."""
        return self._task(core.rf_task_cancel, task, reason)

    def set_outcome(self, task, outcome):
        """Record what came of an ASK task: an AskOutcome or its name ("declined",
        "shared", "referred"; "sent" is set when the ask is reported sent).
        The latest report wins. InvalidArgument for a task that is not an ask,
        IllegalTransition for a suppressed ask. Returns the task."""
        return self._task(core.rf_task_set_outcome, task, int(AskOutcome.coerce(outcome, "outcome")))


class Templates:
    """``store.outbox.templates``: the words of each message.

    Every task names a message (``Task.template``); libreferral ships warm
    words for each. A practice replaces any of them for the whole practice or
    for one programme with save(); get() finds the one that applies: the
    programme's, else the practice's, else the built-in one.

        store.outbox.templates.save("ask.sms.new", "Hi {{recipient.first_name}}, "
                                    "pass this on: {{code.link}}", program=advocates)
    """

    def __init__(self, store):
        self._store = store

    @staticmethod
    def names():
        """The message names, in the library's fixed order (TEMPLATE_NAMES)."""
        return TEMPLATE_NAMES

    def get(self, name, program=None):
        """The template that applies to message ``name`` in ``program`` (a
        Program or id; None: the practice's). InvalidArgument for an unknown
        name, NotFound for an unknown programme."""
        program_id = None if program is None else _program_id(program)
        return Template._from_c(self._store._call(core.rf_template_get, program_id, _text(name, "name")))

    def save(self, name, body, *, subject=None, program=None, idempotency_key=None):
        """Check and save the words of message ``name`` for ``program`` (a
        Program or id; None: the whole practice), replacing the ones saved
        before there, and return the Template.

        ``body`` is the text and ``subject`` the e-mail subject line (None or
        "": none), str or UTF-8 bytes. The template is checked now: an unknown
        name or placeholder, unterminated or stray braces, invalid UTF-8,
        control characters other than line feed and tab (none at all in a
        subject), more than 16 KiB or 256 placeholders raise InvalidArgument
        naming the problem and its byte offset, and nothing is saved. Saving
        the same words again changes nothing; a retry with the same
        ``idempotency_key`` returns the first result (Conflict for other words).
        """
        opts = {
            "program_id": None if program is None else _program_id(program),
            "name": _text(name, "name"),
            "subject": None if subject is None else _text(subject, "subject"),
            "body": _text(body, "body"),
            "idempotency_key": idempotency_key,
        }
        return Template._from_c(self._store._call(core.rf_template_save, opts))

    def list(self, program=None):
        """The template that applies to every message in ``program`` (None: the
        practice's), in the order of names()."""
        with self._store._lock:
            return [self.get(name, program) for name in TEMPLATE_NAMES]

    def __iter__(self):
        return iter(self.list())
