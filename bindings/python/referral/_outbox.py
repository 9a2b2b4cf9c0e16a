"""The outbox: task kinds, states, ask outcomes and the Task record.

Records are plain Python objects read once from the C record, like Party and
Referral, so they stay valid after the store is closed: a Task shows the task
as it was when read (a drain's Task carries the lease it was handed out
under).
"""

from . import core
from ._records import Channel, _c_enum, _CEnum, _dt_property, _names, _optional_time, _Record

__all__ = ["TaskKind", "TaskState", "AskOutcome", "Task"]


@_c_enum("RF_TASK_")
class TaskKind(_CEnum):
    """What the host is asked to do."""

    THANK_REFERRER = "THANK_REFERRER"
    PARTNER_SCHEDULED = "PARTNER_SCHEDULED"
    PARTNER_VISIT_SUMMARY = "PARTNER_VISIT_SUMMARY"
    PARTNER_CLOSURE = "PARTNER_CLOSURE"
    STATUS_NOTICE = "STATUS_NOTICE"
    REFEREE_INTRO = "REFEREE_INTRO"
    TIER_NUDGE = "TIER_NUDGE"
    REWARD_NOTICE = "REWARD_NOTICE"
    ASK = "ASK"
    SLA_BREACH = "SLA_BREACH"


_OPEN_STATES = frozenset(("PENDING", "SENT"))


@_c_enum("RF_TASK_")
class TaskState(_CEnum):
    """Where a task is: PENDING → SENT → ACKED, or FAILED, CANCELLED; SUPPRESSED for held-back asks."""

    PENDING = "PENDING"
    SENT = "SENT"
    ACKED = "ACKED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    SUPPRESSED = "SUPPRESSED"

    @property
    def is_closed(self):
        """True once nothing more will happen to the task (ACKED, FAILED, CANCELLED, SUPPRESSED)."""
        return self.name not in _OPEN_STATES


@_c_enum("RF_ASK_")
class AskOutcome(_CEnum):
    """What came of an ask: SENT is set when the ask is reported sent, the rest by the host."""

    SENT = "SENT"
    DECLINED = "DECLINED"
    SHARED = "SHARED"
    REFERRED = "REFERRED"


def _details(text):
    """``key=value;...`` as a dict."""
    if not text:
        return {}
    return dict(item.split("=", 1) if "=" in item else (item, "") for item in text.split(";"))


class Task(_Record):
    """A task in the outbox: ``kind`` for ``party_id`` (None for an SLA breach
    of a referral with no practitioner: the practice itself), about
    ``referral_id`` in ``program_id``, rendered with ``template`` and sent on
    ``channel`` (None: the host decides). ``key`` makes it happen once.

    ``data`` is the ``key=value;...`` detail text (``details`` as a dict:
    an intro's step, an ask's trigger, segment and suppression reason).
    ``lease_token`` and ``lease_until`` are set while the task is handed out;
    ``attempts`` counts hand-outs; ``outcome`` is an ask's AskOutcome.
    Unset times are None.
    """

    _c_fields = (
        ("id", core.rf_task_id, None),
        ("key", core.rf_task_key, None),
        ("kind", core.rf_task_get_kind, TaskKind._from_c),
        ("state", core.rf_task_get_state, TaskState._from_c),
        ("party_id", core.rf_task_party_id, None),
        ("referral_id", core.rf_task_referral_id, None),
        ("program_id", core.rf_task_program_id, None),
        ("template", core.rf_task_template, None),
        ("channel", core.rf_task_channel, Channel._from_c),
        ("data", core.rf_task_data, None),
        ("lease_token", core.rf_task_lease_token, None),
        ("last_error", core.rf_task_last_error, None),
        ("attempts", core.rf_task_attempts, None),
        ("outcome", core.rf_task_outcome, AskOutcome._from_c),
        ("due_at", core.rf_task_due_at, None),
        ("deadline_at", core.rf_task_deadline_at, _optional_time),
        ("lease_until", core.rf_task_lease_until, _optional_time),
        ("sent_at", core.rf_task_sent_at, _optional_time),
        ("closed_at", core.rf_task_closed_at, _optional_time),
        ("created_at", core.rf_task_created_at, None),
    )
    _fields = _names(_c_fields)
    __slots__ = _fields
    _repr = "{self.id} {self.kind} {self.state}"

    due_at_dt = _dt_property("due_at")
    deadline_at_dt = _dt_property("deadline_at")
    lease_until_dt = _dt_property("lease_until")
    sent_at_dt = _dt_property("sent_at")
    closed_at_dt = _dt_property("closed_at")
    created_at_dt = _dt_property("created_at")

    @property
    def details(self):
        """``data`` as a dict ({"trigger": "nps", "segment": "new"}, {"step": "2"}, ...)."""
        return _details(self.data)

    @property
    def is_closed(self):
        """True once nothing more will happen to the task."""
        return self.state is not None and self.state.is_closed
