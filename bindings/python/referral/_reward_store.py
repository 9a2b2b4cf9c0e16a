"""store.rewards: reward rules, grants, the ledger, balances, redemption,
time-driven work and tier progress."""

from . import core
from ._referral_store import _enum, _program_id, _referral_id
from ._referrals import ReferralState, _time_arg
from ._rewards import (Balance, Grant, GrantStatus, LedgerEntry, ProcessResult, RewardKind, RewardRecipient,
                       RewardRule, TierProgress)
from ._store import _Iterator, _party_id, _text

__all__ = ["Rewards"]


def _rule_id(value):
    """The id of a RewardRule or an id string."""
    if isinstance(value, RewardRule):
        return value.id
    return _text(value, "rule")


def _grant_id(value):
    """The id of a Grant or an id string."""
    if isinstance(value, Grant):
        return value.id
    return _text(value, "grant")


def _amount(value, what="amount"):
    """Money and units are ints (minor units); a float is refused, never rounded."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int (minor units), not {type(value).__name__}")
    return value


def _seq(value, what):
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int sequence number, not {type(value).__name__}")
    return value


class Rewards:
    """``store.rewards``: reward rules, grants and the exactly-once ledger.

    Grants are made by the library when a referral reaches a rule's trigger
    state (Referrals.advance); here the host adds rules, reads grants, the
    ledger and balances, reports what was used (redeem), runs the time-driven
    work (process) and shows a referrer's tier progress.
    """

    def __init__(self, store):
        self._store = store

    def _iterate(self, fn, arg, convert, free):
        store = self._store
        with store._lock:
            h = fn(store._handle(), arg)
            return _Iterator(store, h, convert, free)

    # --- rules ------------------------------------------------------------------------

    def add_rule(self, program, name, recipient, kind, *, trigger=None, amount=None, currency=None,
                 percent=None, item=None, expiry_days=None, hold_days=None, cap_count=None, cap_days=None,
                 tier=None, idempotency_key=None):
        """Add a reward rule to ``program`` (a Program or id) and return it.

        ``recipient``: "referrer", "referee" or "staff"; ``kind``: a
        RewardKind or its name ("account_credit", "percent_discount", ...);
        ``trigger``: "scheduled", "seen" or "closed" (default CLOSED; a
        programme's referrer rules share one). ``amount`` is int minor units
        with ``currency`` (ISO 4217); ``percent`` 1..100 for a percent
        discount; ``item`` the upgrade, gift or cause. ``expiry_days`` (0:
        never), ``hold_days`` (0: released at once), ``cap_count`` grants per
        recipient per ``cap_days`` (0: no cap), ``tier``: the referrer's count
        of qualifying referrals it starts at (default 1).

        Raises InvalidArgument naming the field for a missing or
        contradictory term, NotFound for an unknown programme.
        """
        opts = {
            "program_id": _program_id(program),
            "name": name,
            "recipient": _enum(RewardRecipient, recipient, "recipient"),
            "trigger": _enum(ReferralState, trigger, "trigger"),
            "kind": _enum(RewardKind, kind, "kind"),
            "amount": _amount(amount),
            "currency": currency,
            "percent": percent,
            "item": item,
            "expiry_days": expiry_days,
            "hold_days": hold_days,
            "cap_count": cap_count,
            "cap_days": cap_days,
            "tier": tier,
            "idempotency_key": idempotency_key,
        }
        return RewardRule._from_c(self._store._call(core.rf_reward_rule_add, opts))

    def rule(self, id):
        """The rule with this id; NotFound otherwise."""
        return RewardRule._from_c(self._store._call(core.rf_reward_rule_get, _rule_id(id)))

    def rules(self, program):
        """Iterate over the rules of ``program`` (a Program or id), retired ones too, oldest first."""
        return self._iterate(core.rf_reward_rule_list, _program_id(program), RewardRule._from_c,
                             core.rf_reward_rule_iter_free)

    def retire_rule(self, rule):
        """Retire a rule (a RewardRule or id): it grants nothing from now on, its
        grants stand. Retiring it again changes nothing. Returns the rule."""
        return RewardRule._from_c(self._store._call(core.rf_reward_rule_retire, _rule_id(rule)))

    # --- grants and the ledger -------------------------------------------------------------

    def grant(self, id):
        """The grant with this id; NotFound otherwise."""
        return Grant._from_c(self._store._call(core.rf_grant_get, _grant_id(id)))

    def grants(self, recipient=None, referral=None, rule=None, status=None):
        """Iterate over grants, oldest first, optionally only one ``recipient``'s
        (a Party or id), one ``referral``'s, one ``rule``'s or in one ``status``."""
        flt = {
            "recipient_id": None if recipient is None else _party_id(recipient, "recipient"),
            "referral_id": None if referral is None else _referral_id(referral),
            "rule_id": None if rule is None else _rule_id(rule),
            "status": _enum(GrantStatus, status, "status"),
        }
        return self._iterate(core.rf_grant_list, flt, Grant._from_c, core.rf_grant_iter_free)

    def ledger(self, party=None, grant=None, after_seq=0):
        """Iterate over ledger entries in journal order, optionally only one
        ``party``'s or one ``grant``'s, after the sequence number ``after_seq``
        (a cursor: the ``seq`` of the last entry seen)."""
        flt = {
            "party_id": None if party is None else _party_id(party),
            "grant_id": None if grant is None else _grant_id(grant),
            "after_seq": _seq(after_seq, "after_seq"),
        }
        return self._iterate(core.rf_ledger_list, flt, LedgerEntry._from_c, core.rf_ledger_iter_free)

    # --- balances ---------------------------------------------------------------------------

    def balance(self, party):
        """The Balance of ``party`` (a Party or id), summed from its ledger entries."""
        party_id = _party_id(party)
        return self._balance(core.rf_reward_balance, party_id)

    def audit(self, party):
        """Prove the books of ``party``: every grant's entries are legal and agree
        with its status, no grant exists twice, and the balance is the sum of
        the entries. Returns that Balance; raises IntegrityError naming the
        first discrepancy."""
        return self._balance(core.rf_reward_audit, _party_id(party))

    def _balance(self, fn, party_id):
        store = self._store
        with store._lock:
            h = fn(store._handle(), party_id)
            try:
                return Balance._from_c(h, party_id)
            finally:
                core.rf_balance_free(h)

    # --- redemption and time-driven work -----------------------------------------------------

    def redeem(self, grant=None, *, party=None, currency=None, amount=None, reference=None,
               idempotency_key=None):
        """Record that the host used ``amount`` units and return the units redeemed.

        Either from one ``grant`` (a Grant or id; an item's amount defaults to
        1, money needs one), or from the available grants of ``party`` in
        ``currency``, the one expiring soonest first. ``reference`` (an
        invoice number) is kept on the entries. Raises InsufficientBalance
        when more than is available is asked for (nothing is redeemed),
        IllegalTransition when the grant is not available, InvalidArgument for
        a bad amount. A retry with the same ``idempotency_key`` returns the
        same amount and changes nothing.
        """
        opts = {
            "grant_id": None if grant is None else _grant_id(grant),
            "party_id": None if party is None else _party_id(party),
            "currency": currency,
            "amount": _amount(amount),
            "reference": reference,
            "idempotency_key": idempotency_key,
        }
        return self._store._call(core.rf_reward_redeem, opts)

    def process(self, now=None):
        """Release held grants whose hold has ended and expire what is left of
        grants past their expiry, at ``now`` (datetime or int seconds; None:
        the store's clock). Safe to call again or from several processes.
        Returns ProcessResult(released, expired): the grants this call moved."""
        released, expired = self._store._call(core.rf_rewards_process, _time_arg(now, "now"))
        return ProcessResult(released, expired)

    # --- tiers ------------------------------------------------------------------------------

    def progress(self, party, program):
        """The TierProgress of referrer ``party`` in ``program`` (records or ids)."""
        party_id = _party_id(party)
        program_id = _program_id(program)
        store = self._store
        with store._lock:
            h = core.rf_reward_progress(store._handle(), party_id, program_id)
            try:
                return TierProgress._from_c(h, party_id, program_id)
            finally:
                core.rf_tier_progress_free(h)
