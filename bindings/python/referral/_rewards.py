"""Rewards: their enumerations and records (rules, grants, ledger entries,
balances, tier progress).

Records are plain Python objects read once from the C record, like Party and
Referral, so they stay valid after the store is closed. Money is int minor
units with an ISO 4217 currency, never a float: ``amount=1500, currency="EUR"``
is 15.00 EUR. Items (percent discounts, upgrades, priority booking, gifts)
count as one unit each and have no currency in the ledger.
"""

import collections

from . import core
from ._records import _c_enum, _CEnum, _dt_property, _names, _optional_time, _Record
from ._referrals import ReferralState

__all__ = [
    "RewardRecipient", "RewardKind", "GrantStatus", "LedgerType",
    "RewardRule", "Grant", "LedgerEntry", "Balance", "BalanceRow", "TierProgress", "ProcessResult",
    "AMOUNT_MAX", "REWARD_DAYS_MAX",
]

#: The largest amount one rule may give or one call may redeem, in minor units.
AMOUNT_MAX = core.RF_AMOUNT_MAX
#: The longest expiry or hold period, in days.
REWARD_DAYS_MAX = core.RF_REWARD_DAYS_MAX


# --- enumerations -------------------------------------------------------------

@_c_enum("RF_RECIPIENT_")
class RewardRecipient(_CEnum):
    """Who a rule rewards: the referrer, the referee (dual-sided offers) or the staff member."""

    REFERRER = "REFERRER"
    REFEREE = "REFEREE"
    STAFF = "STAFF"


_MONEY_KINDS = frozenset(("ACCOUNT_CREDIT", "FIXED_DISCOUNT", "CHARITY_DONATION"))


@_c_enum("RF_REWARD_")
class RewardKind(_CEnum):
    """What a rule gives."""

    ACCOUNT_CREDIT = "ACCOUNT_CREDIT"
    FIXED_DISCOUNT = "FIXED_DISCOUNT"
    PERCENT_DISCOUNT = "PERCENT_DISCOUNT"
    SERVICE_UPGRADE = "SERVICE_UPGRADE"
    PRIORITY_BOOKING = "PRIORITY_BOOKING"
    CHARITY_DONATION = "CHARITY_DONATION"
    GIFT = "GIFT"
    THANK_YOU_NOTE = "THANK_YOU_NOTE"

    @property
    def is_money(self):
        """True for kinds counted in minor units of a currency (credit, fixed discount, donation)."""
        return self.name in _MONEY_KINDS


@_c_enum("RF_GRANT_")
class GrantStatus(_CEnum):
    """Where a grant stands."""

    PENDING = "PENDING"
    AVAILABLE = "AVAILABLE"
    SETTLED = "SETTLED"
    EXPIRED = "EXPIRED"
    REVERSED = "REVERSED"

    @property
    def is_closed(self):
        """True once nothing more can happen to the grant (settled, expired, reversed)."""
        return self.name not in ("PENDING", "AVAILABLE")


@_c_enum("RF_LEDGER_")
class LedgerType(_CEnum):
    """The kind of a ledger entry."""

    ISSUED = "ISSUED"
    RELEASED = "RELEASED"
    REDEEMED = "REDEEMED"
    EXPIRED = "EXPIRED"
    REVERSED = "REVERSED"


# --- conversions -----------------------------------------------------------------

def _nonzero(value):
    """0 means "none" for amounts and percents that are never 0 when set."""
    return None if value == 0 else value


# --- records -----------------------------------------------------------------------

class RewardRule(_Record):
    """A programme's reward rule: who gets what when a referral reaches ``trigger``.

    ``amount`` (int minor units) and ``currency`` are None unless the kind
    carries money (or a gift its cost); ``percent`` is None unless a percent
    discount; ``item`` names the upgrade, gift or cause. ``expiry_days`` 0
    means never, ``hold_days`` 0 released at once, ``cap_count`` 0 no cap.
    ``active`` is False once retired.
    """

    _c_fields = (
        ("id", core.rf_reward_rule_id, None),
        ("program_id", core.rf_reward_rule_program_id, None),
        ("name", core.rf_reward_rule_name, None),
        ("recipient", core.rf_reward_rule_recipient, RewardRecipient._from_c),
        ("trigger", core.rf_reward_rule_trigger, ReferralState._from_c),
        ("kind", core.rf_reward_rule_kind, RewardKind._from_c),
        ("amount", core.rf_reward_rule_amount, _nonzero),
        ("currency", core.rf_reward_rule_currency, None),
        ("percent", core.rf_reward_rule_percent, _nonzero),
        ("item", core.rf_reward_rule_item, None),
        ("expiry_days", core.rf_reward_rule_expiry_days, None),
        ("hold_days", core.rf_reward_rule_hold_days, None),
        ("cap_count", core.rf_reward_rule_cap_count, None),
        ("cap_days", core.rf_reward_rule_cap_days, None),
        ("tier", core.rf_reward_rule_tier, None),
        ("active", core.rf_reward_rule_active, bool),
        ("created_at", core.rf_reward_rule_created_at, None),
    )
    _fields = _names(_c_fields)
    __slots__ = _fields
    _repr = "{self.id} {self.recipient} {self.kind} {self.name!r}"

    created_at_dt = _dt_property("created_at")


class Grant(_Record):
    """A reward granted to ``recipient_id`` for a referral, with the rule's terms copied.

    ``kind`` is what is given (a THANK_YOU_NOTE when compliance mode converted
    it: ``compliance`` is then True and ``rule_kind`` the kind the rule names).
    ``units`` is what the ledger counts: the amount for money, 1 for an item,
    0 for a note; ``remaining`` what is left to use when the grant was read.
    ``amount``/``percent`` are None when 0. Unset times are None.
    """

    _c_fields = (
        ("id", core.rf_grant_id, None),
        ("rule_id", core.rf_grant_rule_id, None),
        ("program_id", core.rf_grant_program_id, None),
        ("referral_id", core.rf_grant_referral_id, None),
        ("recipient_id", core.rf_grant_recipient_id, None),
        ("recipient", core.rf_grant_recipient, RewardRecipient._from_c),
        ("kind", core.rf_grant_kind, RewardKind._from_c),
        ("rule_kind", core.rf_grant_rule_kind, RewardKind._from_c),
        ("compliance", core.rf_grant_compliance, bool),
        ("amount", core.rf_grant_amount, _nonzero),
        ("currency", core.rf_grant_currency, None),
        ("units", core.rf_grant_units, None),
        ("remaining", core.rf_grant_remaining, None),
        ("percent", core.rf_grant_percent, _nonzero),
        ("item", core.rf_grant_item, None),
        ("tier_count", core.rf_grant_tier_count, None),
        ("status", core.rf_grant_get_status, GrantStatus._from_c),
        ("issued_at", core.rf_grant_issued_at, None),
        ("release_at", core.rf_grant_release_at, None),
        ("released_at", core.rf_grant_released_at, _optional_time),
        ("expires_at", core.rf_grant_expires_at, _optional_time),
        ("closed_at", core.rf_grant_closed_at, _optional_time),
    )
    _fields = _names(_c_fields)
    __slots__ = _fields
    _repr = "{self.id} {self.kind} {self.status}"

    issued_at_dt = _dt_property("issued_at")
    release_at_dt = _dt_property("release_at")
    released_at_dt = _dt_property("released_at")
    expires_at_dt = _dt_property("expires_at")
    closed_at_dt = _dt_property("closed_at")


class LedgerEntry(_Record):
    """One append-only ledger entry: ``amount`` units moved (never negative) and
    the signed changes it made to the pending and available balances."""

    _c_fields = (
        ("id", core.rf_ledger_entry_id, None),
        ("grant_id", core.rf_ledger_entry_grant_id, None),
        ("party_id", core.rf_ledger_entry_party_id, None),
        ("type", core.rf_ledger_entry_type, LedgerType._from_c),
        ("amount", core.rf_ledger_entry_amount, None),
        ("currency", core.rf_ledger_entry_currency, None),
        ("pending_delta", core.rf_ledger_entry_pending_delta, None),
        ("available_delta", core.rf_ledger_entry_available_delta, None),
        ("reference", core.rf_ledger_entry_reference, None),
        ("seq", core.rf_ledger_entry_seq, None),
        ("at", core.rf_ledger_entry_at, None),
    )
    _fields = _names(_c_fields)
    __slots__ = _fields
    _repr = "{self.seq} {self.type} {self.amount} {self.currency}"

    at_dt = _dt_property("at")


#: One row of a Balance: the figures of one currency (None: the items row).
BalanceRow = collections.namedtuple(
    "BalanceRow", ("currency", "available", "pending", "issued", "redeemed", "expired", "reversed"))


def _balance_rows(h):
    return tuple(BalanceRow(*h[i]) for i in range(len(h)))


class Balance(_Record):
    """A party's balances summed from its ledger entries.

    ``rows`` holds one BalanceRow per currency in currency order, then the
    items row (currency None); rows that are all zero are left out. Iterating
    gives the rows; ``balance["EUR"]`` / ``balance[None]`` is a row (KeyError
    when there is none) and ``balance.row("EUR")`` a row of zeros instead.
    """

    _c_fields = (("rows", _balance_rows, None),)
    _fields = ("party_id", "rows")
    __slots__ = _fields
    _repr = "{self.party_id} {self.rows}"

    @classmethod
    def _from_c(cls, h, party_id):
        b = super()._from_c(h)
        b.party_id = party_id
        return b

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, currency):
        for row in self.rows:
            if row.currency == currency:
                return row
        raise KeyError(currency)

    def __contains__(self, currency):
        return any(row.currency == currency for row in self.rows)

    def row(self, currency):
        """The row of ``currency`` (None: items), all zeros when there is none."""
        try:
            return self[currency]
        except KeyError:
            return BalanceRow(currency, 0, 0, 0, 0, 0, 0)

    def available(self, currency):
        """What ``currency`` (None: items) has available."""
        return self.row(currency).available

    def pending(self, currency):
        """What ``currency`` (None: items) has pending."""
        return self.row(currency).pending

    def to_dict(self):
        return {"party_id": self.party_id, "rows": [row._asdict() for row in self.rows]}


def _unlocks(h):
    rules = []
    for i in range(core.rf_tier_progress_unlock_count(h)):
        rules.append(RewardRule._from_c(core.rf_tier_progress_unlock(h, i)))
    return tuple(rules)


class TierProgress(_Record):
    """Where a referrer stands on a programme's tier ladder.

    ``count`` qualifying referrals so far; ``tier`` the threshold reached (0
    below the first); ``next_tier`` the next threshold and ``to_next`` the
    referrals still needed (both 0 at the top); ``unlocks`` the rules the
    next tier unlocks (a tuple of RewardRule).
    """

    _c_fields = (
        ("count", core.rf_tier_progress_count, None),
        ("tier", core.rf_tier_progress_tier, None),
        ("next_tier", core.rf_tier_progress_next_tier, None),
        ("to_next", core.rf_tier_progress_to_next, None),
        ("unlocks", _unlocks, None),
    )
    _fields = ("party_id", "program_id") + _names(_c_fields)
    __slots__ = _fields
    _repr = "{self.party_id} count={self.count} tier={self.tier} next={self.next_tier}"

    @classmethod
    def _from_c(cls, h, party_id, program_id):
        p = super()._from_c(h)
        p.party_id = party_id
        p.program_id = program_id
        return p

    @property
    def at_top(self):
        """True when no tier is above the one reached."""
        return self.next_tier == 0

    def to_dict(self):
        out = super().to_dict()
        out["unlocks"] = [rule.to_dict() for rule in self.unlocks]
        return out


#: What Rewards.process() moved: grants ``released`` and grants ``expired``.
ProcessResult = collections.namedtuple("ProcessResult", ("released", "expired"))
