"""Programmes, touches and referrals: their enumerations, records and state helpers.

Records are plain Python objects read once from the C record, like Party and
Code. A Referral also remembers (weakly) the Store it came from, so that
``ref.advance("ACCEPTED")`` works; once that store is closed or gone, its
methods raise InvalidArgument and its attributes stay readable.
"""

import collections
import weakref

from . import core
from ._records import (Channel, CodeStyle, _c_enum, _CEnum, _optional_time, _Record, to_datetime,
                       to_seconds)

__all__ = [
    "ReferralState", "Direction", "Source", "CareLevel", "Urgency", "AttributionModel", "FraudAction",
    "FraudFlag", "ReferrerStatus",
    "Program", "Touch", "Referral", "ReferrerEntry", "PartnerExchangeRow",
    "state_can_move", "is_terminal", "fhir_status",
]


# --- enumerations -------------------------------------------------------------

@_c_enum("RF_REFERRAL_")
class ReferralState(_CEnum):
    """Where a referral is in its closed-loop lifecycle (HL7 BSeR / IHE 360X)."""

    RECEIVED = "RECEIVED"
    NEEDS_INFO = "NEEDS_INFO"
    ACCEPTED = "ACCEPTED"
    SCHEDULED = "SCHEDULED"
    NO_SHOW = "NO_SHOW"
    APPT_CANCELLED = "APPT_CANCELLED"
    SEEN = "SEEN"
    CLOSED = "CLOSED"
    CANCEL_REQUESTED = "CANCEL_REQUESTED"
    CANCELLED = "CANCELLED"
    DECLINED = "DECLINED"
    LOST = "LOST"
    ON_HOLD = "ON_HOLD"
    ENTERED_IN_ERROR = "ENTERED_IN_ERROR"

    @property
    def is_terminal(self):
        return bool(core.rf_referral_state_is_terminal(int(self)))

    def can_move(self, to):
        """True when the lifecycle table allows this state → ``to`` (see state_can_move)."""
        return state_can_move(self, to)

    @property
    def fhir(self):
        """(Task.status, businessStatus) of FHIR R4 for this state."""
        return fhir_status(self)


@_c_enum("RF_DIRECTION_")
class Direction(_CEnum):
    INBOUND = "INBOUND"
    OUTBOUND = "OUTBOUND"


@_c_enum("RF_SOURCE_")
class Source(_CEnum):
    """The evidence that attributed a referee (CODE and TOUCH are decided by the library)."""

    CODE = "CODE"
    TOUCH = "TOUCH"
    INTAKE = "INTAKE"
    MANUAL = "MANUAL"
    PARTNER = "PARTNER"


@_c_enum("RF_CARE_")
class CareLevel(_CEnum):
    CONSULT = "CONSULT"
    CO_MANAGEMENT = "CO_MANAGEMENT"
    TRANSFER = "TRANSFER"


@_c_enum("RF_URGENCY_")
class Urgency(_CEnum):
    ROUTINE = "ROUTINE"
    URGENT = "URGENT"


@_c_enum("RF_ATTRIBUTION_")
class AttributionModel(_CEnum):
    FIRST_TOUCH = "FIRST_TOUCH"
    LAST_TOUCH = "LAST_TOUCH"


@_c_enum("RF_FRAUD_")
class FraudAction(_CEnum):
    """What a tripped fraud guard does: BLOCK (PolicyViolation) or FLAG (accept, flagged)."""

    BLOCK = "BLOCK"
    FLAG = "FLAG"


@_c_enum("RF_FRAUD_")
class FraudFlag(_CEnum):
    """A fraud guard; ``int(flag)`` is its C bit. Referral.fraud_flags is a frozenset of them."""

    SELF_REFERRAL = "SELF_REFERRAL"
    SHARED_CONTACT = "SHARED_CONTACT"
    EXISTING_CLIENT = "EXISTING_CLIENT"
    LOOP = "LOOP"
    VELOCITY = "VELOCITY"

    @classmethod
    def from_bits(cls, bits):
        """The frozenset of flags set in the C bit set ``bits``."""
        return frozenset(flag for flag in cls if bits & int(flag))

    @classmethod
    def to_bits(cls, flags):
        """The C bit set of an iterable of flags (members, names or bits)."""
        bits = 0
        for flag in flags:
            bits |= int(cls.coerce(flag, "fraud flag"))
        return bits


@_c_enum("RF_REFERRER_")
class ReferrerStatus(_CEnum):
    """What a referrer is told about one of their referrals."""

    RECEIVED = "RECEIVED"
    BOOKED = "BOOKED"
    SEEN = "SEEN"
    CLOSED = "CLOSED"
    NOT_PROCEEDING = "NOT_PROCEEDING"


# --- state helpers ---------------------------------------------------------------

def state_can_move(from_state, to_state):
    """True when the lifecycle table allows ``from_state`` → ``to_state``.

    Both take a ReferralState, a name in any case or the C int. ON_HOLD
    resumes only to the state it left, which the table cannot know: it
    answers False for ON_HOLD → anything but ENTERED_IN_ERROR.
    """
    a = ReferralState.coerce(from_state, "from state")
    b = ReferralState.coerce(to_state, "to state")
    return bool(core.rf_referral_state_can_move(int(a), int(b)))


def is_terminal(state):
    """True for CLOSED, DECLINED, CANCELLED, LOST and ENTERED_IN_ERROR."""
    return bool(core.rf_referral_state_is_terminal(int(ReferralState.coerce(state, "state"))))


def fhir_status(state):
    """The FHIR R4 ``(Task.status, businessStatus)`` of a state, e.g.
    SCHEDULED → ("in-progress", "appointment-scheduled")."""
    task_status, business_status = core.rf_referral_state_fhir(int(ReferralState.coerce(state, "state")))
    return task_status, business_status


def _labels(text):
    """A comma-separated label list as a list ([] for None)."""
    return text.split(",") if text else []


# --- records -----------------------------------------------------------------------

class _EnumRecord(_Record):
    """to_dict() that also turns sets of enums and enum-keyed dicts into names."""

    __slots__ = ()

    def to_dict(self):
        out = {}
        for name in self._fields:
            value = getattr(self, name)
            if isinstance(value, _CEnum):
                value = value.name
            elif isinstance(value, frozenset):
                value = sorted(str(v) for v in value)
            elif isinstance(value, dict):
                value = {str(k): v for k, v in value.items()}
            elif isinstance(value, list):
                value = list(value)
            out[name] = value
        return out


class Program(_EnumRecord):
    """A referral programme: attribution policy, code style, fraud policy."""

    _fields = ("id", "name", "window_days", "attribution", "exclude_existing_clients", "code_style",
               "auto_issue_code", "fraud_action", "velocity_cap", "velocity_window_days", "created_at",
               "updated_at")
    __slots__ = _fields

    @classmethod
    def _from_c(cls, h):
        p = cls.__new__(cls)
        p.id = core.rf_program_id(h)
        p.name = core.rf_program_name(h)
        p.window_days = core.rf_program_window_days(h)
        p.attribution = AttributionModel._from_c(core.rf_program_attribution(h))
        p.exclude_existing_clients = bool(core.rf_program_excludes_existing_clients(h))
        p.code_style = CodeStyle._from_c(core.rf_program_code_style(h))
        p.auto_issue_code = bool(core.rf_program_auto_issues_code(h))
        p.fraud_action = FraudAction._from_c(core.rf_program_fraud_action(h))
        p.velocity_cap = core.rf_program_velocity_cap(h)
        p.velocity_window_days = core.rf_program_velocity_window_days(h)
        p.created_at = core.rf_program_created_at(h)
        p.updated_at = core.rf_program_updated_at(h)
        return p

    @property
    def created_at_dt(self):
        return to_datetime(self.created_at)

    @property
    def updated_at_dt(self):
        return to_datetime(self.updated_at)

    def __repr__(self):
        return f"<Program {self.id} {self.name!r}>"


class Touch(_EnumRecord):
    """A visit through a code by the visitor the host calls ``visitor_key``."""

    _fields = ("id", "code_id", "owner_id", "program_id", "visitor_key", "channel", "at")
    __slots__ = _fields

    @classmethod
    def _from_c(cls, h):
        t = cls.__new__(cls)
        t.id = core.rf_touch_id(h)
        t.code_id = core.rf_touch_code_id(h)
        t.owner_id = core.rf_touch_owner_id(h)
        t.program_id = core.rf_touch_program_id(h)
        t.visitor_key = core.rf_touch_visitor_key(h)
        t.channel = Channel._from_c(core.rf_touch_channel(h))
        t.at = core.rf_touch_at(h)
        return t

    @property
    def at_dt(self):
        return to_datetime(self.at)

    def __repr__(self):
        return f"<Touch {self.id} {self.code_id}>"


class Referral(_EnumRecord):
    """A referral from a referrer to the practice (inbound) or to a partner (outbound).

    ``state`` is a ReferralState ("RECEIVED", ...); ``reached_at`` maps each
    state reached so far to when it was first reached; ``fraud_flags`` is a
    frozenset of FraudFlag ("LOOP", ...); ``documents_required`` and
    ``documents_received`` are lists of labels; ``evidence`` is the
    attribution decision's ``key=value;...`` text (``evidence_fields`` as a
    dict). Unset times and texts are None.

    advance(), resume() and receive_document() act on the store the referral
    came from, update this object and return it.
    """

    _fields = ("id", "program_id", "referrer_id", "referee_id", "target_id", "direction", "source", "channel",
               "code_id", "touch_id", "evidence", "state", "held_state", "reason", "care_level", "urgency",
               "preferred_timing", "practitioner_id", "variant", "documents_required", "documents_received",
               "documents_complete_at_receipt", "fraud_flags", "reached_at", "appointment_at",
               "first_appointment_at", "reschedules", "no_shows", "visits", "updated_at")
    __slots__ = _fields + ("_store_ref",)

    @classmethod
    def _from_c(cls, h, store=None):
        r = cls.__new__(cls)
        r._store_ref = weakref.ref(store) if store is not None else None
        r._read(h)
        return r

    def _read(self, h):
        self.id = core.rf_referral_id(h)
        self.program_id = core.rf_referral_program_id(h)
        self.referrer_id = core.rf_referral_referrer_id(h)
        self.referee_id = core.rf_referral_referee_id(h)
        self.target_id = core.rf_referral_target_id(h)
        self.direction = Direction._from_c(core.rf_referral_direction(h))
        self.source = Source._from_c(core.rf_referral_get_source(h))
        self.channel = Channel._from_c(core.rf_referral_channel(h))
        self.code_id = core.rf_referral_code_id(h)
        self.touch_id = core.rf_referral_touch_id(h)
        self.evidence = core.rf_referral_evidence(h)
        self.state = ReferralState._from_c(core.rf_referral_state_of(h))
        self.held_state = ReferralState._from_c(core.rf_referral_held_state(h))
        self.reason = core.rf_referral_reason(h)
        self.care_level = CareLevel._from_c(core.rf_referral_care_level(h))
        self.urgency = Urgency._from_c(core.rf_referral_urgency(h))
        self.preferred_timing = core.rf_referral_preferred_timing(h)
        self.practitioner_id = core.rf_referral_practitioner_id(h)
        self.variant = core.rf_referral_variant(h)
        self.documents_required = _labels(core.rf_referral_documents_required(h))
        self.documents_received = _labels(core.rf_referral_documents_received(h))
        self.documents_complete_at_receipt = bool(core.rf_referral_documents_complete_at_receipt(h))
        self.fraud_flags = FraudFlag.from_bits(core.rf_referral_fraud_flags(h))
        reached = {}
        for state in ReferralState:
            at = core.rf_referral_reached_at(h, int(state))
            if at != 0:  # RF_TIME_NONE
                reached[state] = at
        self.reached_at = reached
        self.appointment_at = _optional_time(core.rf_referral_appointment_at(h))
        self.first_appointment_at = _optional_time(core.rf_referral_first_appointment_at(h))
        self.reschedules = core.rf_referral_reschedules(h)
        self.no_shows = core.rf_referral_no_shows(h)
        self.visits = core.rf_referral_visits(h)
        self.updated_at = core.rf_referral_updated_at(h)

    def _take(self, other):
        """Become ``other`` (a fresher read of the same referral); return self."""
        for name in self._fields:
            setattr(self, name, getattr(other, name))
        return self

    # --- derived --------------------------------------------------------------------

    @property
    def received_at(self):
        """When the referral was received (int seconds)."""
        return self.reached_at.get(ReferralState.RECEIVED)

    @property
    def received_at_dt(self):
        return to_datetime(self.received_at)

    @property
    def updated_at_dt(self):
        return to_datetime(self.updated_at)

    @property
    def appointment_at_dt(self):
        return to_datetime(self.appointment_at)

    @property
    def is_terminal(self):
        return self.state is not None and self.state.is_terminal

    @property
    def fhir(self):
        """(Task.status, businessStatus) of FHIR R4 for the current state."""
        return fhir_status(self.state)

    @property
    def evidence_fields(self):
        """The evidence text as a dict ({"model": "LAST_TOUCH", "touches": "3", ...})."""
        if not self.evidence:
            return {}
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in self.evidence.split(";"))

    # --- actions on the store ----------------------------------------------------------

    def _referrals(self):
        store = self._store_ref() if self._store_ref is not None else None
        if store is None or store.closed:
            raise core.InvalidArgument(f"the store of referral {self.id} is closed")
        return store.referrals

    def advance(self, to, reason=None, appointment_at=None, idempotency_key=None):
        """Move to state ``to`` (see Referrals.advance); update this object and return it."""
        moved = self._referrals().advance(self.id, to, reason=reason, appointment_at=appointment_at,
                                          idempotency_key=idempotency_key)
        return self._take(moved)

    def resume(self, idempotency_key=None):
        """Leave ON_HOLD for the state it was in before; update this object and return it."""
        return self._take(self._referrals().resume(self.id, idempotency_key=idempotency_key))

    def receive_document(self, name):
        """Record that document ``name`` arrived; update this object and return it."""
        return self._take(self._referrals().receive_document(self.id, name))

    def refresh(self):
        """Read the referral again from its store; return it."""
        return self._take(self._referrals().get(self.id))

    def __repr__(self):
        return f"<Referral {self.id} {self.direction} {self.state}>"


class ReferrerEntry(_EnumRecord):
    """One line of a referrer's view: the referee by initials unless they consented to share."""

    _fields = ("referral_id", "referee_label", "status", "received_at")
    __slots__ = _fields

    @classmethod
    def _from_c(cls, h):
        e = cls.__new__(cls)
        e.referral_id = core.rf_referrer_entry_referral_id(h)
        e.referee_label = core.rf_referrer_entry_referee_label(h)
        e.status = ReferrerStatus._from_c(core.rf_referrer_entry_status(h))
        e.received_at = core.rf_referrer_entry_received_at(h)
        return e

    @property
    def received_at_dt(self):
        return to_datetime(self.received_at)

    def __repr__(self):
        return f"<ReferrerEntry {self.referral_id} {self.status}>"


#: One partner's row of Referrals.partner_exchange(): outbound referrals the
#: practice ``given`` to the partner and inbound ones ``received`` from it.
PartnerExchangeRow = collections.namedtuple("PartnerExchangeRow", ("partner_id", "given", "received"))


def _time_arg(value, what):
    """None stays None; otherwise int seconds from a datetime or int."""
    return None if value is None else to_seconds(value, what)
