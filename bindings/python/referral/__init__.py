"""libreferral for Python: client-referral programmes for appointment-based practices.

    from datetime import datetime
    import referral

    with referral.Store("sqlite:clinic.db", practice="elm-st") as store:
        jane = store.parties.add(kind="client", display_name="Jane Doe",
                                 email="Jane@Example.org", consent={"contact", "named"})
        code = store.codes.issue(jane)              # jane-doe
        assert store.codes.resolve("JANE DOE").owner_id == jane.id
        for event in store.journal(after=0):
            print(event.seq, event.type, event.subject_id)

        advocates = store.programs.create(name="Client advocates", window_days=30)
        sam = store.parties.add(kind="lead", display_name="Sam Lee")
        ref = store.referrals.create(advocates, sam, code="JANE DOE")
        ref.advance("accepted")
        ref.advance("scheduled", appointment_at=datetime(2026, 3, 9, 10, 0))
        print(ref.state, ref.fhir)                  # SCHEDULED ('in-progress', 'appointment-scheduled')

        store.rewards.add_rule(advocates, "Thank-you credit", "referrer", "account_credit",
                               amount=2500, currency="EUR")   # 25.00 EUR when a referral closes
        ref.advance("seen")
        ref.advance("closed")
        print(store.rewards.balance(jane)["EUR"].available)   # 2500
        store.rewards.redeem(party=jane, currency="EUR", amount=1000, reference="INV-1")

        report = store.kpis(datetime(2026, 1, 1), datetime(2027, 1, 1))   # received in [from_, to)
        print(report.closed_rate, report.numerator("closed_rate"), report.no_show_rate)   # None: not defined

        store.events.add(jane, "nps", value=10)     # a good moment: the programme asks
        store.outbox.templates.save("ask.email.new", "Dear {{recipient.first_name}}, ...",
                                    subject="Know someone we could help?")   # the practice's own words
        for task in store.outbox.due():             # THANK_REFERRER, REFEREE_INTRO, ASK, ...
            subject, body = store.outbox.render(task, practice_name="Elm Street Physio",
                                                link_base="https://elm.example/r/")
            send(task, subject, body)               # the host delivers on task.channel
            store.outbox.sent(task)

Failures raise ReferralError subclasses carrying the library's message
(``str(exc)``, ``exc.message``) and status code (``exc.code``). The
low-level SWIG module is ``referral.core``; it mirrors the C API.
"""

from . import core
from ._records import (Channel, Code, CodeState, CodeStyle, Consent, Event, Intake, Party, PartyKind,
                       Payer)
from ._referral_store import Programs, Referrals, Touches
from ._referrals import (AttributionModel, CareLevel, Direction, FraudAction, FraudFlag, PartnerExchangeRow,
                         Program, Referral, ReferralState, ReferrerEntry, ReferrerStatus, Source, Touch, Urgency,
                         fhir_status, is_terminal, state_can_move)
from ._reward_store import Rewards
from ._rewards import (AMOUNT_MAX, REWARD_DAYS_MAX, Balance, BalanceRow, Grant, GrantStatus, LedgerEntry,
                       LedgerType, ProcessResult, RewardKind, RewardRecipient, RewardRule, TierProgress)
from ._store import Codes, Parties, Store
from ._event_store import Events
from ._events import ClientEvent, ClientEventType, DischargeOutcome
from ._outbox import AskOutcome, Task, TaskKind, TaskState
from ._outbox_store import Outbox, Templates
from ._templates import TEMPLATE_NAMES, Rendered, Template, TemplateSource
from ._kpis import Kpi, KpiColumn, KpiDashboard, KpiReport, KpiTable, KpiTableKind, Kpis

ReferralError = core.ReferralError
NotFound = core.NotFound
AlreadyExists = core.AlreadyExists
InvalidArgument = core.InvalidArgument
Conflict = core.Conflict
IllegalTransition = core.IllegalTransition
StorageError = core.StorageError
OutOfMemory = core.OutOfMemory
PolicyViolation = core.PolicyViolation
InsufficientBalance = core.InsufficientBalance
IntegrityError = core.IntegrityError

#: The run-time libreferral version, e.g. "0.1.0".
__version__ = core.rf_version_string()
#: (major, minor, patch) of the run-time library.
version_info = tuple(core.rf_version())


def strerror(code):
    """A short English description of an rf_status code."""
    return core.rf_strerror(int(code))


__all__ = [
    "Store", "Parties", "Codes", "Programs", "Touches", "Referrals", "Rewards", "Events", "Outbox",
    "ClientEvent", "ClientEventType", "DischargeOutcome", "Task", "TaskKind", "TaskState", "AskOutcome",
    "Templates", "Template", "TemplateSource", "Rendered", "TEMPLATE_NAMES",
    "Kpis", "Kpi", "KpiReport", "KpiTable", "KpiTableKind", "KpiColumn", "KpiDashboard",
    "Party", "Code", "Event", "Program", "Touch", "Referral", "ReferrerEntry", "PartnerExchangeRow",
    "RewardRule", "Grant", "LedgerEntry", "Balance", "BalanceRow", "TierProgress", "ProcessResult",
    "RewardRecipient", "RewardKind", "GrantStatus", "LedgerType", "AMOUNT_MAX", "REWARD_DAYS_MAX",
    "PartyKind", "Payer", "Intake", "CodeStyle", "Channel", "CodeState", "Consent",
    "ReferralState", "Direction", "Source", "CareLevel", "Urgency", "AttributionModel", "FraudAction",
    "FraudFlag", "ReferrerStatus", "state_can_move", "is_terminal", "fhir_status",
    "ReferralError", "NotFound", "AlreadyExists", "InvalidArgument", "Conflict", "IllegalTransition",
    "StorageError", "OutOfMemory", "PolicyViolation", "InsufficientBalance", "IntegrityError", "strerror",
    "__version__", "version_info",
]
