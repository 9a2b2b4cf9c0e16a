"""KPIs: ``store.kpis(from_, to, ...)`` and the KpiReport it returns.

Every figure is defined in kpis.h (and ../shared/ARCHITECTURE.md, KPIs): the
cohort is the inbound referrals received in ``[from_, to)``. A report carries
each figure with its numerator and denominator, so a host can show "12 of 40"
next to "30 %". A figure whose denominator is zero (an empty period, nothing
scheduled) is None: never 0.0, never NaN.
"""

from . import core
from ._records import Channel, _c_enum, _CEnum, to_datetime, to_seconds
from ._referral_store import _enum, _program_id
from ._referrals import Source
from ._kpi_tables import KpiColumn, KpiDashboard, KpiTable, KpiTableKind
from ._store import _party_id

__all__ = ["Kpi", "KpiColumn", "KpiDashboard", "KpiReport", "KpiTable", "KpiTableKind", "Kpis"]


@_c_enum("RF_KPI_")
class Kpi(_CEnum):
    """The figures of a KpiReport; ``report.<name in lower case>`` is its value."""

    RECEIVED = "RECEIVED"
    SCHEDULED_RATE = "SCHEDULED_RATE"
    SEEN_RATE = "SEEN_RATE"
    CLOSED_RATE = "CLOSED_RATE"
    COMPLETION_RATE = "COMPLETION_RATE"
    LEAKAGE_RATE = "LEAKAGE_RATE"
    NO_SHOW_RATE = "NO_SHOW_RATE"
    HIT_RATE = "HIT_RATE"
    MISSING_DOCUMENT_RATE = "MISSING_DOCUMENT_RATE"
    FIRST_RESPONSE_P50 = "FIRST_RESPONSE_P50"
    FIRST_RESPONSE_P90 = "FIRST_RESPONSE_P90"
    FIRST_RESPONSE_MEAN = "FIRST_RESPONSE_MEAN"
    TO_SCHEDULE_P50 = "TO_SCHEDULE_P50"
    TO_SCHEDULE_P90 = "TO_SCHEDULE_P90"
    TO_SCHEDULE_MEAN = "TO_SCHEDULE_MEAN"
    TO_APPOINTMENT_P50 = "TO_APPOINTMENT_P50"
    TO_APPOINTMENT_P90 = "TO_APPOINTMENT_P90"
    TO_APPOINTMENT_MEAN = "TO_APPOINTMENT_MEAN"
    SLA_URGENT = "SLA_URGENT"
    SLA_ROUTINE = "SLA_ROUTINE"
    LOOP_CLOSURE = "LOOP_CLOSURE"
    THANKS_WITHIN_48H = "THANKS_WITHIN_48H"
    REFERRAL_RATE = "REFERRAL_RATE"
    ADVOCATE_RATE = "ADVOCATE_RATE"
    REFERRALS_PER_CLIENT_18M = "REFERRALS_PER_CLIENT_18M"
    CLOSE_RATE_REFERRED = "CLOSE_RATE_REFERRED"
    CLOSE_RATE_NON_REFERRED = "CLOSE_RATE_NON_REFERRED"
    REVENUE_REFERRED = "REVENUE_REFERRED"
    REVENUE_PER_CLIENT_REFERRED = "REVENUE_PER_CLIENT_REFERRED"
    REVENUE_PER_CLIENT_NON_REFERRED = "REVENUE_PER_CLIENT_NON_REFERRED"
    RETENTION_REFERRED = "RETENTION_REFERRED"
    RETENTION_NON_REFERRED = "RETENTION_NON_REFERRED"
    REWARD_COST = "REWARD_COST"
    ROI = "ROI"
    K_FACTOR = "K_FACTOR"
    MEAN_NPS = "MEAN_NPS"
    NPS_REFERRAL_CORRELATION = "NPS_REFERRAL_CORRELATION"

    @property
    def attribute(self):
        """The KpiReport attribute of this figure: ``"scheduled_rate"``."""
        return self.name.lower()


#: Figures that are whole numbers: counts, percentiles (one of the values), sums of minor units.
_WHOLE = frozenset(k for k in Kpi if k.name.endswith(("_P50", "_P90"))) | {
    Kpi.RECEIVED, Kpi.REVENUE_REFERRED, Kpi.REWARD_COST}


def _value(kpi, value):
    """A whole figure is exact as an int; the rest stay floats."""
    if value is None or kpi not in _WHOLE:
        return value
    return int(value)


class KpiReport:
    """The figures of one period, read once from the library's report.

    Each figure is an attribute named after it in lower case:
    ``received`` (an int, always defined), the rates and SLA compliance
    (floats in 0..1), the ``*_p50`` / ``*_p90`` percentiles (int seconds,
    nearest rank), ``*_mean`` (float seconds), ``revenue_referred`` and
    ``reward_cost`` (int minor units of the filter's currency), ``roi``,
    ``k_factor``, ``mean_nps`` and ``nps_referral_correlation`` (floats);
    None when not defined.
    ``numerator(kpi)`` / ``denominator(kpi)`` take a Kpi, its name in any
    case or its C value. ``from_``, ``to`` and ``computed_at`` (the store's
    clock) are int seconds, with ``*_dt`` datetimes.
    """

    __slots__ = ("from_", "to", "computed_at", "_values", "_numerators", "_denominators")

    @classmethod
    def _from_c(cls, h):
        report = cls.__new__(cls)
        report.from_ = core.rf_kpi_report_from(h)
        report.to = core.rf_kpi_report_to(h)
        report.computed_at = core.rf_kpi_report_computed_at(h)
        report._values = {k: _value(k, core.rf_kpi_report_value(h, int(k))) for k in Kpi}
        report._numerators = {k: core.rf_kpi_report_numerator(h, int(k)) for k in Kpi}
        report._denominators = {k: core.rf_kpi_report_denominator(h, int(k)) for k in Kpi}
        return report

    def __getattr__(self, name):
        # Only reached for names that are not slots: the figures.
        if name.startswith("_") or name.upper() not in Kpi.__members__:
            raise AttributeError(f"KpiReport has no attribute {name!r}")
        return self._values[Kpi[name.upper()]]

    def __dir__(self):
        return sorted(set(super().__dir__()) | {k.attribute for k in Kpi})

    def value(self, kpi):
        """The figure ``kpi`` (a Kpi, name or C value), None when not defined."""
        return self._values[Kpi.coerce(kpi, "kpi")]

    def defined(self, kpi):
        """True when the figure has a value (its denominator is not zero)."""
        return self.value(kpi) is not None

    def numerator(self, kpi):
        """What the figure counts: a count, a sum of seconds for a mean, 0 for a percentile."""
        return self._numerators[Kpi.coerce(kpi, "kpi")]

    def denominator(self, kpi):
        """What the figure is a share or an average of (1 for RECEIVED, 0 when not defined)."""
        return self._denominators[Kpi.coerce(kpi, "kpi")]

    @property
    def from_dt(self):
        return to_datetime(self.from_)

    @property
    def to_dt(self):
        return to_datetime(self.to)

    @property
    def computed_at_dt(self):
        return to_datetime(self.computed_at)

    def to_dict(self):
        """``{"from_", "to", "computed_at", "figures": {name: {"value", "numerator", "denominator"}}}``."""
        figures = {k.attribute: {"value": self._values[k], "numerator": self._numerators[k],
                                 "denominator": self._denominators[k]} for k in Kpi}
        return {"from_": self.from_, "to": self.to, "computed_at": self.computed_at, "figures": figures}

    def __eq__(self, other):
        if not isinstance(other, KpiReport):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None

    def __repr__(self):
        return (f"<KpiReport [{self.from_}, {self.to}) received={self.received} "
                f"scheduled_rate={self.scheduled_rate}>")


class Kpis:
    """``store.kpis``: call it for the KpiReport of a period.

    ``store.kpis(from_, to, program=None, channel=None, source=None,
    practitioner=None, currency=None, top=None, control_variant=None)``:
    what happened in ``[from_, to)`` (datetimes or int seconds), optionally
    of one programme (a Program or id), channel, source (enum members or
    names) or practitioner (a Party or id); ``currency`` (ISO 4217) is what
    the money figures are in (without it they are None), ``top`` the
    leaderboard's size (10) and ``control_variant`` the A/B control.
    ``store.kpis.table(kind, from_, to, ...)`` returns one KpiTable and
    ``store.kpis.dashboard(from_, to, ...)`` the report with every table.
    Raises InvalidArgument for a missing or empty period or a bad filter
    value, NotFound for an unknown programme or practitioner. It only reads.
    """

    def __init__(self, store):
        self._store = store

    def __call__(self, from_, to, **filters):
        return self.compute(from_, to, **filters)

    def compute(self, from_, to, program=None, channel=None, source=None, practitioner=None, currency=None,
                top=None, control_variant=None):
        """The KpiReport of the period: see Kpis."""
        flt = _filter(from_, to, program, channel, source, practitioner, currency, top, control_variant)
        return KpiReport._from_c(self._store._call(core.rf_kpi_compute, flt))

    def table(self, kind, from_, to, program=None, channel=None, source=None, practitioner=None, currency=None,
              top=None, control_variant=None):
        """The KpiTable ``kind`` (a KpiTableKind or its name: "funnel", "leaderboard",
        "practitioners", "channels", "sources", "variants") of the period."""
        kind = KpiTableKind.coerce(kind, "kind")
        flt = _filter(from_, to, program, channel, source, practitioner, currency, top, control_variant)
        return KpiTable._from_c(self._store._call(core.rf_kpi_table_compute, int(kind), flt))

    def dashboard(self, from_, to, **filters):
        """The report and every table of the period, one KpiDashboard (same filters as compute)."""
        report = self.compute(from_, to, **filters)
        tables = {kind: self.table(kind, from_, to, **filters) for kind in KpiTableKind}
        return KpiDashboard(report, tables)


def _filter(from_, to, program, channel, source, practitioner, currency, top, control_variant):
    # A missing bound stays unset: the library refuses it with its own message.
    return {
        "from": None if from_ is None else to_seconds(from_, "from_"),
        "to": None if to is None else to_seconds(to, "to"),
        "program_id": None if program is None else _program_id(program),
        "channel": _enum(Channel, channel, "channel"),
        "source": _enum(Source, source, "source"),
        "practitioner_id": None if practitioner is None else _party_id(practitioner, "practitioner"),
        "currency": currency,
        "top": top,
        "control_variant": control_variant,
    }
