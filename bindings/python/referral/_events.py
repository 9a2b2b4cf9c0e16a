"""Client events: their enumerations and record.

What the host tells the library about a client (a visit, an NPS score, a
milestone, ...). Records are plain Python objects read once from the C
record, like Party, so they stay valid after the store is closed.
"""

from . import core
from ._records import _c_enum, _CEnum, _dt_property, _names, _Record

__all__ = ["ClientEventType", "DischargeOutcome", "ClientEvent"]


@_c_enum("RF_CLIENT_EVENT_")
class ClientEventType(_CEnum):
    """What happened to a client. The fields each type takes are listed with Events.add()."""

    VISIT_COMPLETED = "VISIT_COMPLETED"
    NPS = "NPS"
    MILESTONE = "MILESTONE"
    DISCHARGE = "DISCHARGE"
    PAYMENT_CLEARED = "PAYMENT_CLEARED"
    PRAISE = "PRAISE"
    COMPLAINT_OPENED = "COMPLAINT_OPENED"
    COMPLAINT_RESOLVED = "COMPLAINT_RESOLVED"
    REVENUE = "REVENUE"
    SENSITIVE_PHASE = "SENSITIVE_PHASE"


@_c_enum("RF_DISCHARGE_")
class DischargeOutcome(_CEnum):
    """How a discharge went: a GOOD one is a moment to ask for a referral."""

    GOOD = "GOOD"
    NEUTRAL = "NEUTRAL"
    POOR = "POOR"


def _value(value):
    """RF_UNSET (-1) is what a type without a value reads as."""
    return None if value == -1 else value


def _nonzero(value):
    """Amounts are 1.. when given; 0 means none."""
    return None if value == 0 else value


class ClientEvent(_Record):
    """A client event. ``value`` is the NPS score, the discharge outcome's int
    or the sensitive-phase flag (None for types without one; ``outcome`` gives
    a discharge's DischargeOutcome); ``amount`` int minor units with
    ``currency`` (None when not given); ``at`` when it happened,
    ``recorded_at`` when the library was told."""

    _c_fields = (
        ("id", core.rf_client_event_id, None),
        ("party_id", core.rf_client_event_party_id, None),
        ("type", core.rf_client_event_get_type, ClientEventType._from_c),
        ("practitioner_id", core.rf_client_event_practitioner_id, None),
        ("value", core.rf_client_event_value, _value),
        ("label", core.rf_client_event_label, None),
        ("amount", core.rf_client_event_amount, _nonzero),
        ("currency", core.rf_client_event_currency, None),
        ("at", core.rf_client_event_at, None),
        ("recorded_at", core.rf_client_event_recorded_at, None),
    )
    _fields = _names(_c_fields)
    __slots__ = _fields
    _repr = "{self.id} {self.type} {self.value}"  # labels may be the host's words: not in a repr

    at_dt = _dt_property("at")
    recorded_at_dt = _dt_property("recorded_at")

    @property
    def outcome(self):
        """A DISCHARGE's DischargeOutcome; None for other types."""
        if self.type is not ClientEventType.DISCHARGE or self.value is None:
            return None
        return DischargeOutcome._from_c(self.value)
