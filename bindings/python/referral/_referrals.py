"""Programmes, touches and referrals: their enumerations, records and state helpers.

Records are plain Python objects read once from the C record, like Party and
Code. A Referral also remembers (weakly) the Store it came from, so that
``ref.advance("ACCEPTED")`` works; once that store is closed or gone, its
methods raise InvalidArgument and its attributes stay readable.
"""

import collections
import weakref

from . import core
from ._records import (Channel, CodeStyle, _c_enum, _CEnum, _dt_property, _names, _optional_time, _Record,
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


def _reached_at(h):
    """{state: when first reached} of a C referral, for the states it has reached."""
    reached = {}
    for state in ReferralState:
        at = core.rf_referral_reached_at(h, int(state))
        if at != 0:  # RF_TIME_NONE
            reached[state] = at
    return reached


# --- records -----------------------------------------------------------------------

class Program(_Record):
    """A referral programme: attribution policy, code style, fraud policy,
    reward policy (``clawback``, ``compliance_mode``; its reward rules are
    store.rewards.rules(program)), ask policy (``ask_*``, ``new_client_days``)
    and first-response SLA (``sla_urgent_hours``, ``sla_routine_hours``)."""

    _c_fields = (
        ("id", core.rf_program_id, None),
        ("name", core.rf_program_name, None),
        ("window_days", core.rf_program_window_days, None),
        ("attribution", core.rf_program_attribution, AttributionModel._from_c),
        ("exclude_existing_clients", core.rf_program_excludes_existing_clients, bool),
        ("code_style", core.rf_program_code_style, CodeStyle._from_c),
        ("auto_issue_code", core.rf_program_auto_issues_code, bool),
        ("fraud_action", core.rf_program_fraud_action, FraudAction._from_c),
        ("velocity_cap", core.rf_program_velocity_cap, None),
        ("velocity_window_days", core.rf_program_velocity_window_days, None),
        ("clawback", core.rf_program_claws_back, bool),
        ("compliance_mode", core.rf_program_compliance_mode, bool),
        ("ask_enabled", core.rf_program_ask_enabled, bool),
        ("ask_nps_threshold", core.rf_program_ask_nps_threshold, None),
        ("ask_after_first_visit_days", core.rf_program_ask_after_first_visit_days, None),
        ("ask_on_anniversary", core.rf_program_ask_on_anniversary, bool),
        ("ask_on_milestone", core.rf_program_ask_on_milestone, bool),
        ("ask_on_discharge", core.rf_program_ask_on_discharge, bool),
        ("ask_on_praise", core.rf_program_ask_on_praise, bool),
        ("ask_on_payment", core.rf_program_ask_on_payment, bool),
        ("ask_cooldown_days", core.rf_program_ask_cooldown_days, None),
        ("ask_yearly_cap", core.rf_program_ask_yearly_cap, None),
        ("new_client_days", core.rf_program_new_client_days, None),
        ("sla_urgent_hours", core.rf_program_sla_urgent_hours, None),
        ("sla_routine_hours", core.rf_program_sla_routine_hours, None),
        ("created_at", core.rf_program_created_at, None),
        ("updated_at", core.rf_program_updated_at, None),
    )
    _fields = _names(_c_fields)
    __slots__ = _fields
    _repr = "{self.id} {self.name!r}"

    created_at_dt = _dt_property("created_at")
    updated_at_dt = _dt_property("updated_at")


class Touch(_Record):
    """A visit through a code by the visitor the host calls ``visitor_key``."""

    _c_fields = (
        ("id", core.rf_touch_id, None),
        ("code_id", core.rf_touch_code_id, None),
        ("owner_id", core.rf_touch_owner_id, None),
        ("program_id", core.rf_touch_program_id, None),
        ("visitor_key", core.rf_touch_visitor_key, None),
        ("channel", core.rf_touch_channel, Channel._from_c),
        ("at", core.rf_touch_at, None),
    )
    _fields = _names(_c_fields)
    __slots__ = _fields
    _repr = "{self.id} {self.code_id}"

    at_dt = _dt_property("at")


class Referral(_Record):
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

    _c_fields = (
        ("id", core.rf_referral_id, None),
        ("program_id", core.rf_referral_program_id, None),
        ("referrer_id", core.rf_referral_referrer_id, None),
        ("referee_id", core.rf_referral_referee_id, None),
        ("target_id", core.rf_referral_target_id, None),
        ("direction", core.rf_referral_direction, Direction._from_c),
        ("source", core.rf_referral_get_source, Source._from_c),
        ("channel", core.rf_referral_channel, Channel._from_c),
        ("code_id", core.rf_referral_code_id, None),
        ("touch_id", core.rf_referral_touch_id, None),
        ("evidence", core.rf_referral_evidence, None),
        ("state", core.rf_referral_get_state, ReferralState._from_c),
        ("held_state", core.rf_referral_held_state, ReferralState._from_c),
        ("reason", core.rf_referral_reason, None),
        ("care_level", core.rf_referral_care_level, CareLevel._from_c),
        ("urgency", core.rf_referral_urgency, Urgency._from_c),
        ("preferred_timing", core.rf_referral_preferred_timing, None),
        ("practitioner_id", core.rf_referral_practitioner_id, None),
        ("variant", core.rf_referral_variant, None),
        ("documents_required", core.rf_referral_documents_required, _labels),
        ("documents_received", core.rf_referral_documents_received, _labels),
        ("documents_complete_at_receipt", core.rf_referral_documents_complete_at_receipt, bool),
        ("fraud_flags", core.rf_referral_fraud_flags, FraudFlag.from_bits),
        ("reached_at", _reached_at, None),
        ("appointment_at", core.rf_referral_appointment_at, _optional_time),
        ("first_appointment_at", core.rf_referral_first_appointment_at, _optional_time),
        ("reschedules", core.rf_referral_reschedules, None),
        ("no_shows", core.rf_referral_no_shows, None),
        ("visits", core.rf_referral_visits, None),
        ("updated_at", core.rf_referral_updated_at, None),
    )
    _fields = _names(_c_fields)
    __slots__ = _fields + ("_store_ref",)
    _repr = "{self.id} {self.direction} {self.state}"

    @classmethod
    def _from_c(cls, h, store=None):
        r = super()._from_c(h)
        r._store_ref = weakref.ref(store) if store is not None else None
        return r

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

    received_at_dt = _dt_property("received_at")
    updated_at_dt = _dt_property("updated_at")
    appointment_at_dt = _dt_property("appointment_at")

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


class ReferrerEntry(_Record):
    """One line of a referrer's view: the referee by initials unless they consented to share."""

    _c_fields = (
        ("referral_id", core.rf_referrer_entry_referral_id, None),
        ("referee_label", core.rf_referrer_entry_referee_label, None),
        ("status", core.rf_referrer_entry_status, ReferrerStatus._from_c),
        ("received_at", core.rf_referrer_entry_received_at, None),
    )
    _fields = _names(_c_fields)
    __slots__ = _fields
    _repr = "{self.referral_id} {self.status}"

    received_at_dt = _dt_property("received_at")



#: One partner's row of Referrals.partner_exchange(): outbound referrals the
#: practice ``given`` to the partner and inbound ones ``received`` from it.
PartnerExchangeRow = collections.namedtuple("PartnerExchangeRow", ("partner_id", "given", "received"))


def _time_arg(value, what):
    """None stays None; otherwise int seconds from a datetime or int."""
    return None if value is None else to_seconds(value, what)
