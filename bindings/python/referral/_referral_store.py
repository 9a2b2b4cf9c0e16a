"""store.programs, store.touches and store.referrals."""

from . import core
from ._records import Channel, Code, CodeStyle, to_seconds
from ._referrals import (AttributionModel, CareLevel, Direction, FraudAction, PartnerExchangeRow, Program,
                         Referral, ReferralState, ReferrerEntry, Source, Touch, Urgency, _time_arg)
from ._store import _Iterator, _party_id, _text

__all__ = ["Programs", "Touches", "Referrals"]


def _program_id(value):
    """The id of a Program or an id string."""
    if isinstance(value, Program):
        return value.id
    return _text(value, "program")


def _referral_id(value):
    """The id of a Referral or an id string."""
    if isinstance(value, Referral):
        return value.id
    return _text(value, "referral")


def _optional_party(value, what):
    return None if value is None else _party_id(value, what)


def _enum(cls, value, what):
    """The C int of an optional enum argument."""
    return None if value is None else int(cls.coerce(value, what))


def _flag(value, what):
    """A 0/1 setting from a bool (or 0/1 int); None stays unset."""
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    raise TypeError(f"{what} must be a bool, not {type(value).__name__}")


def _label_list(value, what):
    """Document labels: a list (or other iterable) of str, or one comma-separated str."""
    if value is None or isinstance(value, (str, bytes)):
        return value
    try:
        labels = list(value)
    except TypeError:
        raise TypeError(f"{what} must be a list of labels or a comma-separated str, "
                        f"not {type(value).__name__}") from None
    for label in labels:
        if not isinstance(label, str):
            raise TypeError(f"{what} labels must be str, not {type(label).__name__}")
    return ",".join(labels) if labels else None


#: The ask policy and SLA settings of a programme (programme options version 3).
_ASK_SETTINGS = ("ask_enabled", "ask_nps_threshold", "ask_after_first_visit_days", "ask_on_anniversary",
                 "ask_on_milestone", "ask_on_discharge", "ask_on_praise", "ask_on_payment",
                 "ask_cooldown_days", "ask_yearly_cap", "new_client_days", "sla_urgent_hours",
                 "sla_routine_hours")
_ASK_FLAGS = frozenset(("ask_enabled", "ask_on_anniversary", "ask_on_milestone", "ask_on_discharge",
                        "ask_on_praise", "ask_on_payment"))


def _ask_options(**settings):
    """The option dict entries of the ask and SLA settings given (flags from bools)."""
    return {name: _flag(settings.get(name), name) if name in _ASK_FLAGS else settings.get(name)
            for name in _ASK_SETTINGS}


class Programs:
    """``store.programs``: referral programmes and their rules."""

    _SETTINGS = ("name", "window_days", "attribution", "exclude_existing_clients", "code_style",
                 "auto_issue_code", "fraud_action", "velocity_cap", "velocity_window_days", "clawback",
                 "compliance_mode", "idempotency_key") + _ASK_SETTINGS

    def __init__(self, store):
        self._store = store

    @staticmethod
    def _options(name=None, window_days=None, attribution=None, exclude_existing_clients=None,
                 code_style=None, auto_issue_code=None, fraud_action=None, velocity_cap=None,
                 velocity_window_days=None, clawback=None, compliance_mode=None, idempotency_key=None,
                 **ask):
        return {
            "name": name,
            "window_days": window_days,
            "attribution": _enum(AttributionModel, attribution, "attribution"),
            "exclude_existing_clients": _flag(exclude_existing_clients, "exclude_existing_clients"),
            "code_style": _enum(CodeStyle, code_style, "code_style"),
            "auto_issue_code": _flag(auto_issue_code, "auto_issue_code"),
            "fraud_action": _enum(FraudAction, fraud_action, "fraud_action"),
            "velocity_cap": velocity_cap,
            "velocity_window_days": velocity_window_days,
            "clawback": _flag(clawback, "clawback"),
            "compliance_mode": _flag(compliance_mode, "compliance_mode"),
            "idempotency_key": idempotency_key,
            **_ask_options(**ask),
        }

    def create(self, name=None, window_days=None, attribution="last_touch", exclude_existing_clients=True,
               code_style="vanity", auto_issue_code=False, fraud_action="block", velocity_cap=0,
               velocity_window_days=30, clawback=False, compliance_mode=False, idempotency_key=None, *,
               ask_enabled=None, ask_nps_threshold=None, ask_after_first_visit_days=None,
               ask_on_anniversary=None, ask_on_milestone=None, ask_on_discharge=None, ask_on_praise=None,
               ask_on_payment=None, ask_cooldown_days=None, ask_yearly_cap=None, new_client_days=None,
               sla_urgent_hours=None, sla_routine_hours=None):
        """Create a programme and return it.

        ``name`` is required and unique in the practice (InvalidArgument,
        AlreadyExists otherwise);
        ``window_days`` the attribution window (1..3650, default 90);
        ``attribution``: "first_touch" or "last_touch"; ``code_style``:
        "vanity" or "short" for codes issued automatically (``auto_issue_code``)
        when a referee becomes a client; ``fraud_action``: "block" (refuse with
        PolicyViolation) or "flag"; ``velocity_cap`` referrals per referrer per
        ``velocity_window_days`` (0: no cap); ``clawback``: a referral that
        fails after its rewards were released takes back what is left;
        ``compliance_mode``: rewards for federally insured parties become
        thank-you notes only (US anti-kickback rules). A retry with the same
        ``idempotency_key`` returns the first programme and changes nothing.

        The ask policy and SLA settings (None or left out: the library's default):
        ``ask_enabled`` (True) asks this programme's clients for referrals;
        ``ask_nps_threshold`` (9, 0..10) an NPS at or above it asks;
        ``ask_after_first_visit_days`` (90, 0..3650; 0: never) asks that many
        days after the first visit; ``ask_on_anniversary``,
        ``ask_on_milestone``, ``ask_on_discharge`` (a good one),
        ``ask_on_praise``, ``ask_on_payment`` (all True) choose the other
        moments; ``ask_cooldown_days`` (90, 0..3650) no second ask sooner;
        ``ask_yearly_cap`` (3, 1..52) asks per client in any 365 days;
        ``new_client_days`` (180, 1..3650) clients whose first visit is more
        recent get the "new" scripts; ``sla_urgent_hours`` (4) and
        ``sla_routine_hours`` (48, 1..720) the first-response SLA.
        """
        opts = self._options(name, window_days, attribution, exclude_existing_clients, code_style,
                             auto_issue_code, fraud_action, velocity_cap, velocity_window_days, clawback,
                             compliance_mode, idempotency_key, ask_enabled=ask_enabled,
                             ask_nps_threshold=ask_nps_threshold,
                             ask_after_first_visit_days=ask_after_first_visit_days,
                             ask_on_anniversary=ask_on_anniversary, ask_on_milestone=ask_on_milestone,
                             ask_on_discharge=ask_on_discharge, ask_on_praise=ask_on_praise,
                             ask_on_payment=ask_on_payment, ask_cooldown_days=ask_cooldown_days,
                             ask_yearly_cap=ask_yearly_cap, new_client_days=new_client_days,
                             sla_urgent_hours=sla_urgent_hours, sla_routine_hours=sla_routine_hours)
        return Program._from_c(self._store._call(core.rf_program_create, opts))

    def update(self, program, **changes):
        """Change the given settings of a programme (a Program or id) and return it.

        Keywords are those of create(); None (or leaving one out) keeps a
        setting. Referrals already made keep the decisions taken before.
        """
        unknown = sorted(set(changes) - set(self._SETTINGS))
        if unknown:
            raise TypeError(f"unknown programme setting(s): {', '.join(unknown)}")
        opts = self._options(**changes)
        return Program._from_c(self._store._call(core.rf_program_update, _program_id(program), opts))

    def get(self, id):
        """The programme with this id; NotFound otherwise."""
        return Program._from_c(self._store._call(core.rf_program_get, _program_id(id)))

    def find(self, name):
        """The programme called ``name``; NotFound otherwise."""
        return Program._from_c(self._store._call(core.rf_program_find, _text(name, "name")))

    def list(self):
        """Iterate over the practice's programmes, oldest first."""
        store = self._store
        with store._lock:
            h = core.rf_program_list(store._handle())
            return _Iterator(store, h, Program._from_c, core.rf_program_iter_free)

    def __iter__(self):
        return self.list()


class Touches:
    """``store.touches``: visits through a code (the "clicked" step)."""

    def __init__(self, store):
        self._store = store

    def add(self, code, visitor_key, channel=None, idempotency_key=None):
        """Record a visit through ``code`` (a Code or its text, however typed) by
        ``visitor_key`` (the host's opaque visitor id; never an IP address
        alone) at the store's time, and return the Touch."""
        code_text = code.text if isinstance(code, Code) else _text(code, "code")
        opts = {"channel": _enum(Channel, channel, "channel"), "idempotency_key": idempotency_key}
        return Touch._from_c(self._store._call(core.rf_touch_add, code_text, _text(visitor_key, "visitor_key"),
                                               opts))


class Referrals:
    """``store.referrals``: referrals, their lifecycle and the views on them."""

    def __init__(self, store):
        self._store = store

    def _referral(self, h):
        return Referral._from_c(h, self._store)

    def create(self, program, referee, code=None, visitor_key=None, referrer=None, source=None,
               direction="inbound", target=None, channel=None, reason=None, care_level=None, urgency=None,
               preferred_timing=None, practitioner=None, variant=None, documents_required=None,
               documents_received=None, idempotency_key=None):
        """Make a referral in state RECEIVED and return it.

        ``program``, ``referee``, ``referrer``, ``target`` and ``practitioner``
        take a record or its id. Inbound referrals need evidence of who
        referred: a ``code`` (a Code or its text), a ``visitor_key`` whose
        touches in the programme's window decide (first or last touch), or a
        ``referrer`` with ``source`` "intake", "manual" (default) or "partner";
        the most specific wins. Outbound ones (``direction="outbound"``) send
        a client to the partner ``target``. ``documents_*``: a list of labels
        or a comma-separated str.

        Raises PolicyViolation when a fraud guard trips under "block",
        Conflict when the referee is already attributed (the first stands),
        NotFound when no touch is in the window.
        """
        if isinstance(code, Code):
            code = code.text
        opts = {
            "program_id": _program_id(program),
            "referee_id": _party_id(referee, "referee"),
            "direction": _enum(Direction, direction, "direction"),
            "target_id": _optional_party(target, "target"),
            "code": code,
            "visitor_key": visitor_key,
            "referrer_id": _optional_party(referrer, "referrer"),
            "source": _enum(Source, source, "source"),
            "channel": _enum(Channel, channel, "channel"),
            "reason": reason,
            "care_level": _enum(CareLevel, care_level, "care_level"),
            "urgency": _enum(Urgency, urgency, "urgency"),
            "preferred_timing": preferred_timing,
            "practitioner_id": _optional_party(practitioner, "practitioner"),
            "variant": variant,
            "documents_required": _label_list(documents_required, "documents_required"),
            "documents_received": _label_list(documents_received, "documents_received"),
            "idempotency_key": idempotency_key,
        }
        return self._referral(self._store._call(core.rf_referral_create, opts))

    def get(self, id):
        """The referral with this id; NotFound otherwise."""
        return self._referral(self._store._call(core.rf_referral_get, _referral_id(id)))

    def advance(self, referral, to, reason=None, appointment_at=None, idempotency_key=None):
        """Move a referral (a Referral or id) to state ``to`` and return it.

        ``reason`` is required for DECLINED, CANCELLED, LOST and ON_HOLD;
        ``appointment_at`` (datetime or int seconds) for SCHEDULED. An illegal
        move raises IllegalTransition naming both states and changes nothing.
        """
        state = ReferralState.coerce(to, "to")
        opts = {"reason": reason, "appointment_at": _time_arg(appointment_at, "appointment_at"),
                "idempotency_key": idempotency_key}
        return self._referral(self._store._call(core.rf_referral_advance, _referral_id(referral), int(state),
                                                opts))

    def resume(self, referral, idempotency_key=None):
        """Leave ON_HOLD for the state it left and return the referral."""
        return self._referral(self._store._call(core.rf_referral_resume, _referral_id(referral),
                                                idempotency_key))

    def receive_document(self, referral, name):
        """Record that the required document ``name`` arrived (idempotent) and return the referral."""
        return self._referral(self._store._call(core.rf_referral_receive_document, _referral_id(referral),
                                                _text(name, "document")))

    def list(self, program=None, referrer=None, referee=None, direction=None, received_from=None,
             received_to=None):
        """Iterate over referrals in the order they were received, optionally
        only one programme's, referrer's or referee's, one direction, or
        received in [received_from, received_to) (datetime or int seconds)."""
        flt = {
            "program_id": None if program is None else _program_id(program),
            "referrer_id": _optional_party(referrer, "referrer"),
            "referee_id": _optional_party(referee, "referee"),
            "direction": _enum(Direction, direction, "direction"),
            "received_from": _time_arg(received_from, "received_from"),
            "received_to": _time_arg(received_to, "received_to"),
        }
        store = self._store
        with store._lock:
            h = core.rf_referral_list(store._handle(), flt)
            return _Iterator(store, h, self._referral, core.rf_referral_iter_free)

    def __iter__(self):
        return self.list()

    def referrer_view(self, referrer):
        """Iterate over what ``referrer`` (a Party or id) may see of their
        referrals, oldest first: ReferrerEntry with the referee's initials
        unless the referee consented to share, never contact details."""
        store = self._store
        with store._lock:
            h = core.rf_referrer_view_open(store._handle(), _party_id(referrer, "referrer"))
            return _Iterator(store, h, ReferrerEntry._from_c, core.rf_referrer_view_free)

    def partner_exchange(self, from_, to):
        """Per partner with a referral received in [from_, to) (datetime or int
        seconds): a list of PartnerExchangeRow(partner_id, given, received),
        ordered by partner id (``{r.partner_id: (r.given, r.received) for r in
        rows}`` for a dict)."""
        x = self._store._call(core.rf_partner_exchange_compute, to_seconds(from_, "from_"),
                              to_seconds(to, "to"))
        try:
            return [PartnerExchangeRow(*x[i]) for i in range(len(x))]
        finally:
            core.rf_partner_exchange_free(x)
