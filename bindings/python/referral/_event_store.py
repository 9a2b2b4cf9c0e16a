"""store.events: what the host tells the library about its clients."""

from . import core
from ._events import ClientEvent, ClientEventType, DischargeOutcome
from ._referral_store import _enum
from ._referrals import _time_arg
from ._store import _Iterator, _party_id

__all__ = ["Events"]


def _event_value(event_type, value):
    """An event's value: an int (NPS score, 0/1 flag), a bool flag, or for a
    discharge a DischargeOutcome (member or name)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (str, DischargeOutcome)):
        if event_type is not ClientEventType.DISCHARGE:
            raise core.InvalidArgument(f"value {str(value)!r}: only a DISCHARGE event takes an outcome name")
        return int(DischargeOutcome.coerce(value, "value"))
    return value


def _amount(value):
    """Money is int minor units; a float is refused, never rounded."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"amount must be an int (minor units), not {type(value).__name__}")
    return value


class Events:
    """``store.events``: client events, the input of the ask policy and the KPIs.

    Recording an event lets every programme that asks decide whether this is
    a good moment (see store.outbox for the tasks it writes).
    """

    def __init__(self, store):
        self._store = store

    def add(self, party, type, *, at=None, practitioner=None, value=None, label=None, amount=None,
            currency=None, idempotency_key=None):
        """Record an event of ``party`` (a CLIENT or LEAD Party, or its id) and return it.

        ``type``: a ClientEventType or its name, with what it takes:

        ================== ==========================================================
        visit_completed    ``practitioner`` (a STAFF Party or id) optional
        nps                ``value``: the score 0..10
        milestone          ``label``: the milestone's name
        discharge          ``value``: "good", "neutral", "poor" (or DischargeOutcome)
        payment_cleared    ``amount`` (int minor units) + ``currency`` optional
        praise             ``label`` optional (where it was said)
        complaint_opened   ``label``: the host's complaint reference
        complaint_resolved ``label``: the reference of an open complaint
        revenue            ``amount`` + ``currency``
        sensitive_phase    ``value``: True/1 entering, False/0 leaving
        ================== ==========================================================

        ``at`` (datetime or int seconds) defaults to the store's clock and may
        be at most a day ahead of it. A field the type does not take, or a
        missing one, raises InvalidArgument naming it; a PARTNER or STAFF party,
        or resolving a complaint that is not open, IllegalTransition. A retry
        with the same ``idempotency_key`` returns the first event.
        """
        event_type = ClientEventType.coerce(type, "type")
        opts = {
            "party_id": _party_id(party),
            "type": int(event_type),
            "at": _time_arg(at, "at"),
            "practitioner_id": None if practitioner is None else _party_id(practitioner, "practitioner"),
            "value": _event_value(event_type, value),
            "label": label,
            "amount": _amount(amount),
            "currency": currency,
            "idempotency_key": idempotency_key,
        }
        return ClientEvent._from_c(self._store._call(core.rf_client_event_add, opts))

    def list(self, party=None, type=None, since=None, until=None):
        """Iterate over events in the order they were recorded, optionally only
        one ``party``'s, of one ``type``, or with ``at`` in [since, until)
        (datetime or int seconds)."""
        flt = {
            "party_id": None if party is None else _party_id(party),
            "type": _enum(ClientEventType, type, "type"),
            "from": _time_arg(since, "since"),
            "to": _time_arg(until, "until"),
        }
        store = self._store
        with store._lock:
            h = core.rf_client_event_list(store._handle(), flt)
            return _Iterator(store, h, ClientEvent._from_c, core.rf_client_event_iter_free)

    def __iter__(self):
        return self.list()
