"""store.rewards ledger: holds and release, expiry, redemption (by grant and
by party + currency, partial, idempotent), reversal with and without
clawback, balances, audit, ledger iteration, and a seeded random walk that
checks the books after every step."""

import datetime as dt
import random
import sqlite3
import unittest

import referral
from referral import BalanceRow, GrantStatus, LedgerType, core
from support import DAY, SEED, T0, MemoryBackend, RewardFixture, SqliteBackend

UTC = dt.timezone.utc
UNKNOWN_ID = "0190a1b2-0000-7000-8000-000000000000"


class LedgerFixture(RewardFixture):
    def credit(self, amount=2500, currency="EUR", program=None, name=None, **kwargs):
        """A referrer rule giving ``amount`` of ``currency``."""
        return self.store.rewards.add_rule(program or self.program, name or f"{amount} {currency}", "referrer",
                                           "account_credit", amount=amount, currency=currency, **kwargs)

    def closed_grant(self, name="Lead", **kwargs):
        """Close a new referral of jane's; return its only grant."""
        (grant,) = self.grants_of(self.close(self.new_referral(name, **kwargs)))
        return grant

    def reward_events(self, seq):
        return [(e.type, e.subject_id) for e in self.store.journal(after=seq) if e.type.startswith("reward.")]

    def entries(self, grant):
        return [(e.type, e.amount, e.pending_delta, e.available_delta)
                for e in self.store.rewards.ledger(grant=grant)]


class HoldAndExpiryCases(LedgerFixture):
    def test_hold_then_release_then_expiry(self):
        self.credit(hold_days=14, expiry_days=30)
        grant = self.closed_grant()
        issued = self.store.now
        self.assertEqual((grant.status, grant.issued_at, grant.release_at, grant.released_at, grant.expires_at),
                         (GrantStatus.PENDING, issued, issued + 14 * DAY, None, None))
        self.assertEqual(self.entries(grant), [("ISSUED", 2500, 2500, 0)])
        self.assertEqual(self.assertBooks(self.jane).rows, (BalanceRow("EUR", 0, 2500, 2500, 0, 0, 0),))

        # Held: nothing to redeem yet, and processing early moves nothing.
        exc = self.assertRaisesUnchanged(referral.IllegalTransition, self.store.rewards.redeem, grant,
                                         amount=100)
        self.assertEqual(exc.code, -7)
        self.assertEqual(exc.error_class, core.RF_ERRCLASS_REWARD)
        before = self.snapshot()
        self.assertEqual(self.store.rewards.process(issued + 14 * DAY - 1), (0, 0))
        self.assertEqual(self.snapshot(), before)

        # The hold ends: released by process(), exactly once.
        release = issued + 14 * DAY
        seq = self.store.journal_last_seq()
        result = self.store.rewards.process(dt.datetime.fromtimestamp(release, UTC))
        self.assertIsInstance(result, referral.ProcessResult)
        self.assertEqual((result.released, result.expired), (1, 0))
        self.assertEqual(self.reward_events(seq), [(core.RF_EVENT_REWARD_RELEASED, grant.id)])
        grant = self.store.rewards.grant(grant)
        self.assertEqual((grant.status, grant.released_at, grant.expires_at, grant.remaining),
                         ("AVAILABLE", release, release + 30 * DAY, 2500))
        self.assertEqual(self.entries(grant), [("ISSUED", 2500, 2500, 0), ("RELEASED", 2500, -2500, 2500)])
        before = self.snapshot()
        self.assertEqual(self.store.rewards.process(release), (0, 0))
        self.assertEqual(self.store.rewards.process(release + DAY), (0, 0))
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(self.assertBooks(self.jane).rows, (BalanceRow("EUR", 2500, 0, 2500, 0, 0, 0),))

        # Partly used, then the rest expires; process() with no time reads the store's clock.
        self.assertEqual(self.store.rewards.redeem(grant, amount=1000), 1000)
        self.store.set_time(release + 30 * DAY)
        seq = self.store.journal_last_seq()
        self.assertEqual(self.store.rewards.process(), (0, 1))
        self.assertEqual(self.reward_events(seq), [(core.RF_EVENT_REWARD_EXPIRED, grant.id)])
        grant = self.store.rewards.grant(grant)
        self.assertEqual((grant.status, grant.remaining, grant.closed_at), ("EXPIRED", 0, release + 30 * DAY))
        self.assertEqual(self.entries(grant)[-1], ("EXPIRED", 1500, 0, -1500))
        self.assertEqual(self.assertBooks(self.jane).rows, (BalanceRow("EUR", 0, 0, 2500, 1000, 1500, 0),))
        self.assertEqual(self.store.rewards.process(), (0, 0))
        exc = self.assertRaisesUnchanged(referral.IllegalTransition, self.store.rewards.redeem, grant, amount=1)
        self.assertEqual(exc.code, -7)

    def test_release_and_expire_in_one_call(self):
        self.credit(hold_days=7, expiry_days=10)
        first = self.closed_grant("Lead 1")
        second = self.closed_grant("Lead 2")
        self.assertEqual(self.store.rewards.process(first.issued_at + 7 * DAY), (1, 0))  # the first only
        # One call releases the second and expires the first; the second expires ten days after its release.
        self.assertEqual(self.store.rewards.process(second.issued_at + 30 * DAY), (1, 1))
        self.assertEqual(self.store.rewards.grant(second).expires_at, second.issued_at + 40 * DAY)
        self.assertEqual(self.store.rewards.process(second.issued_at + 40 * DAY), (0, 1))
        for g in (first, second):
            g = self.store.rewards.grant(g)
            self.assertEqual(g.status, "EXPIRED")
            self.assertEqual([e[0] for e in self.entries(g)], ["ISSUED", "RELEASED", "EXPIRED"])
        self.assertEqual(self.assertBooks(self.jane).rows, (BalanceRow("EUR", 0, 0, 5000, 0, 5000, 0),))

    def test_items_and_notes_under_a_hold(self):
        self.store.rewards.add_rule(self.program, "Upgrade", "referee", "service_upgrade", item="+15 minutes",
                                    hold_days=1, expiry_days=1)
        self.store.rewards.add_rule(self.program, "Note", "referee", "thank_you_note", hold_days=1)
        ref = self.close(self.new_referral())
        self.assertEqual({g.status for g in self.grants_of(ref)}, {"PENDING"})
        self.assertEqual(self.store.rewards.balance(ref.referee_id).rows, (BalanceRow(None, 0, 1, 1, 0, 0, 0),))
        self.assertEqual(self.store.rewards.process(self.store.now + DAY), (2, 0))
        by_kind = {g.kind: g for g in self.grants_of(ref)}
        self.assertEqual(by_kind["THANK_YOU_NOTE"].status, "SETTLED")
        self.assertEqual(by_kind["SERVICE_UPGRADE"].status, "AVAILABLE")
        self.assertEqual(self.store.rewards.process(self.store.now + 2 * DAY), (0, 1))
        self.assertEqual(self.assertBooks(ref.referee_id).rows, (BalanceRow(None, 0, 0, 1, 0, 1, 0),))


class RedeemCases(LedgerFixture):
    def test_partial_redemption_by_grant(self):
        self.credit()
        grant = self.closed_grant()
        self.store.advance(DAY)
        seq = self.store.journal_last_seq()
        self.assertEqual(self.store.rewards.redeem(grant, amount=1000, reference="INV-1"), 1000)
        self.assertEqual(self.reward_events(seq), [(core.RF_EVENT_REWARD_REDEEMED, grant.id)])
        entry = list(self.store.rewards.ledger(grant=grant))[-1]
        self.assertEqual((entry.type, entry.amount, entry.currency, entry.pending_delta, entry.available_delta,
                          entry.reference, entry.at, entry.party_id),
                         (LedgerType.REDEEMED, 1000, "EUR", 0, -1000, "INV-1", self.store.now, self.jane.id))
        grant = self.store.rewards.grant(grant.id)
        self.assertEqual((grant.status, grant.remaining, grant.closed_at), ("AVAILABLE", 1500, None))

        self.store.advance(DAY)
        self.assertEqual(self.store.rewards.redeem(grant.id, amount=1500), 1500)
        grant = self.store.rewards.grant(grant)
        self.assertEqual((grant.status, grant.remaining, grant.closed_at), ("SETTLED", 0, self.store.now))
        self.assertEqual(self.assertBooks(self.jane).rows, (BalanceRow("EUR", 0, 0, 2500, 2500, 0, 0),))
        exc = self.assertRaisesUnchanged(referral.IllegalTransition, self.store.rewards.redeem, grant, amount=1)
        self.assertEqual(exc.code, -7)

    def test_items_redeem_whole(self):
        self.store.rewards.add_rule(self.program, "Discount", "referee", "percent_discount", percent=20)
        (grant,) = self.grants_of(self.close(self.new_referral()))
        self.assertEqual(self.store.rewards.redeem(grant, reference="INV-9"), 1)  # an item: the whole item
        grant = self.store.rewards.grant(grant)
        self.assertEqual((grant.status, grant.remaining), ("SETTLED", 0))
        self.assertEqual(self.assertBooks(grant.recipient_id).rows, (BalanceRow(None, 0, 0, 1, 1, 0, 0),))

    def test_refusals_change_nothing(self):
        self.credit()
        grant = self.closed_grant()
        cases = [
            (referral.InsufficientBalance, dict(grant=grant, amount=2501), -13, ()),
            (referral.InvalidArgument, dict(grant=grant), -5, ()),
            (referral.InvalidArgument, dict(grant=grant, amount=0), -5, ("amount",)),
            (referral.InvalidArgument, dict(grant=grant, amount=-100), -5, ("amount",)),
            (referral.InvalidArgument, dict(grant=grant, amount=referral.AMOUNT_MAX + 1), -5, ("amount",)),
            (referral.InvalidArgument, dict(grant=grant, amount=2**64), -5, ("amount",)),
            (referral.InvalidArgument, dict(amount=100), -5, ()),
            (referral.InvalidArgument, dict(grant=grant, party=self.jane, currency="EUR", amount=100), -5, ()),
            (referral.InvalidArgument, dict(party=self.jane, amount=100), -5, ("currency",)),
            (referral.InvalidArgument, dict(party=self.jane, currency="XYZ", amount=100), -5, ("currency",)),
            (referral.InvalidArgument, dict(party=self.jane, currency="EUR"), -5, ("amount",)),
            (referral.InsufficientBalance, dict(party=self.jane, currency="EUR", amount=2501), -13, ()),
            (referral.InsufficientBalance, dict(party=self.jane, currency="GBP", amount=1), -13, ()),
            (referral.NotFound, dict(grant=UNKNOWN_ID, amount=1), -3, (UNKNOWN_ID,)),
            (referral.NotFound, dict(party=UNKNOWN_ID, currency="EUR", amount=1), -3, (UNKNOWN_ID,)),
        ]
        for exc_class, kwargs, code, fragments in cases:
            with self.subTest(**{k: str(v)[:12] for k, v in kwargs.items()}):
                exc = self.assertRaisesUnchanged(exc_class, self.store.rewards.redeem, **kwargs)
                self.assertReferralError(exc, code, *fragments)
        exc = self.assertRaisesUnchanged(referral.InsufficientBalance, self.store.rewards.redeem, grant,
                                         amount=2501)
        self.assertEqual(exc.error_class, core.RF_ERRCLASS_REWARD)
        self.assertRaisesUnchanged(TypeError, self.store.rewards.redeem, grant, amount=10.0)
        self.assertRaisesUnchanged(TypeError, self.store.rewards.redeem, grant, amount="10")
        self.assertEqual(self.store.rewards.grant(grant).remaining, 2500)
        self.assertBooks(self.jane)

    def test_by_party_and_currency_soonest_expiry_first(self):
        later = self.credit(1000, expiry_days=60, name="later")
        never = self.credit(1000, name="never")
        soonest = self.credit(1000, expiry_days=30, name="soonest")
        pounds = self.credit(700, "GBP")
        ref = self.close(self.new_referral())
        grants = {g.rule_id: g for g in self.grants_of(ref)}
        self.assertEqual(self.store.rewards.balance(self.jane)["EUR"].available, 3000)

        seq = self.store.journal_last_seq()
        taken = self.store.rewards.redeem(party=self.jane, currency="EUR", amount=2500, reference="INV-7",
                                          idempotency_key="redeem-1")
        self.assertEqual(taken, 2500)
        self.assertEqual(self.reward_events(seq), [(core.RF_EVENT_REWARD_REDEEMED, grants[soonest.id].id),
                                                   (core.RF_EVENT_REWARD_REDEEMED, grants[later.id].id),
                                                   (core.RF_EVENT_REWARD_REDEEMED, grants[never.id].id)])
        redeemed = [e for e in self.store.rewards.ledger(party=self.jane) if e.type == "REDEEMED"]
        self.assertEqual([(e.grant_id, e.amount, e.reference) for e in redeemed],
                         [(grants[soonest.id].id, 1000, "INV-7"), (grants[later.id].id, 1000, "INV-7"),
                          (grants[never.id].id, 500, "INV-7")])
        now = {g.rule_id: g for g in self.grants_of(ref)}
        self.assertEqual([(now[r.id].status, now[r.id].remaining) for r in (soonest, later, never, pounds)],
                         [("SETTLED", 0), ("SETTLED", 0), ("AVAILABLE", 500), ("AVAILABLE", 700)])

        # Replayed with its key: the same answer, nothing written; another call with the key conflicts.
        before = self.snapshot()
        self.assertEqual(self.store.rewards.redeem(party=self.jane, currency="EUR", amount=2500,
                                                   reference="INV-7", idempotency_key="redeem-1"), 2500)
        self.assertEqual(self.snapshot(), before)
        exc = self.assertRaisesUnchanged(referral.Conflict, self.store.rewards.redeem, party=self.jane,
                                         currency="EUR", amount=100, idempotency_key="redeem-1")
        self.assertReferralError(exc, -6, "redeem-1")

        exc = self.assertRaisesUnchanged(referral.InsufficientBalance, self.store.rewards.redeem,
                                         party=self.jane.id, currency="EUR", amount=501)
        self.assertEqual(exc.code, core.RF_EBALANCE)
        self.assertEqual(self.store.rewards.redeem(party=self.jane.id, currency="EUR", amount=500), 500)
        self.assertEqual(self.assertBooks(self.jane).rows, (BalanceRow("EUR", 0, 0, 3000, 3000, 0, 0),
                                                            BalanceRow("GBP", 700, 0, 700, 0, 0, 0)))

    def test_idempotent_redeem_by_grant(self):
        self.credit()
        grant = self.closed_grant()
        self.assertEqual(self.store.rewards.redeem(grant, amount=1000, idempotency_key="r-1"), 1000)
        before = self.snapshot()
        self.store.advance(60)
        self.assertEqual(self.store.rewards.redeem(grant, amount=1000, idempotency_key="r-1"), 1000)
        self.assertEqual(self.snapshot(), before)
        exc = self.assertRaisesUnchanged(referral.Conflict, self.store.rewards.redeem, grant, amount=900,
                                         idempotency_key="r-1")
        self.assertEqual(exc.code, -6)
        self.assertEqual(self.store.rewards.grant(grant).remaining, 1500)


class ReversalCases(LedgerFixture):
    def fail(self, ref, *states):
        self.walk(ref, *states)
        return {g.rule_id: self.store.rewards.grant(g) for g in self.grants_of(ref)}

    def test_pending_grants_reverse(self):
        held = self.credit(hold_days=14, trigger="scheduled")
        for states in (("CANCEL_REQUESTED", "CANCELLED"), ("NO_SHOW", "LOST"), ("ENTERED_IN_ERROR",)):
            with self.subTest(states=states):
                ref = self.walk(self.new_referral("-".join(states)), "ACCEPTED", "SCHEDULED")
                (grant,) = self.grants_of(ref)
                self.assertEqual(grant.status, "PENDING")
                seq = self.store.journal_last_seq()
                grant = self.fail(ref, *states)[held.id]
                self.assertEqual((grant.status, grant.closed_at, grant.remaining), ("REVERSED", self.store.now, 0))
                self.assertEqual(self.reward_events(seq), [(core.RF_EVENT_REWARD_REVERSED, grant.id)])
                self.assertEqual(self.entries(grant), [("ISSUED", 2500, 2500, 0), ("REVERSED", 2500, -2500, 0)])
                self.assertEqual(self.store.rewards.process(grant.release_at), (0, 0))  # nothing left to release
        self.assertEqual(self.assertBooks(self.jane).rows, (BalanceRow("EUR", 0, 0, 7500, 0, 0, 7500),))

    def test_released_grants_are_kept_without_clawback(self):
        rule = self.credit(trigger="scheduled")
        ref = self.walk(self.new_referral(), "ACCEPTED", "SCHEDULED")
        (grant,) = self.grants_of(ref)
        self.store.rewards.redeem(grant, amount=1000)
        seq = self.store.journal_last_seq()
        grant = self.fail(ref, "CANCEL_REQUESTED", "CANCELLED")[rule.id]
        self.assertEqual((grant.status, grant.remaining, grant.closed_at), ("AVAILABLE", 1500, None))
        events = [e for e in self.store.journal(after=seq) if e.type.startswith("reward.")]
        self.assertEqual([(e.type, e.subject_id) for e in events], [(core.RF_EVENT_REWARD_KEPT, grant.id)])
        self.assertIn("reason=no_clawback", events[0].data)
        self.assertEqual([e[0] for e in self.entries(grant)], ["ISSUED", "RELEASED", "REDEEMED"])
        self.assertEqual(self.assertBooks(self.jane).rows, (BalanceRow("EUR", 1500, 0, 2500, 1000, 0, 0),))

    def test_clawback_takes_back_what_is_left(self):
        prog = self.store.programs.create(name="Clawback", clawback=True)
        code = self.store.codes.issue(self.john, program_id=prog.id, vanity_base="john claw")
        credit = self.credit(program=prog, trigger="scheduled")
        gift = self.store.rewards.add_rule(prog, "Gift", "referee", "gift", item="Hamper", trigger="scheduled")
        note = self.store.rewards.add_rule(prog, "Note", "referee", "thank_you_note", trigger="scheduled")
        ref = self.refer(self.lead("Sam Two"), program=prog, code=code.text)
        self.walk(ref, "ACCEPTED", "SCHEDULED")
        grants = {g.rule_id: g for g in self.grants_of(ref)}
        self.assertEqual(self.store.rewards.redeem(grants[credit.id], amount=1000), 1000)
        self.assertEqual(self.store.rewards.redeem(grants[gift.id]), 1)  # used up: settled, never taken back
        seq = self.store.journal_last_seq()
        after = self.fail(ref, "NO_SHOW", "LOST")
        g = after[credit.id]
        self.assertEqual((g.status, g.remaining, g.closed_at), ("REVERSED", 0, self.store.now))
        self.assertEqual(self.entries(g)[-1], ("REVERSED", 1500, 0, -1500))
        self.assertEqual((after[gift.id].status, after[note.id].status), ("SETTLED", "SETTLED"))
        events = [e for e in self.store.journal(after=seq) if e.type.startswith("reward.")]
        self.assertEqual([(e.type, e.subject_id) for e in events], [(core.RF_EVENT_REWARD_REVERSED, g.id)])
        self.assertIn("clawback=1", events[0].data)
        self.assertEqual(self.assertBooks(self.john).rows, (BalanceRow("EUR", 0, 0, 2500, 1000, 0, 1500),))
        self.assertEqual(self.assertBooks(ref.referee_id).rows, (BalanceRow(None, 0, 0, 1, 1, 0, 0),))

    def test_clawback_leaves_expired_grants(self):
        prog = self.store.programs.create(name="Clawback", clawback=True)
        code = self.store.codes.issue(self.john, program_id=prog.id, vanity_base="john claw")
        self.credit(program=prog, trigger="scheduled", expiry_days=1)
        ref = self.refer(self.lead("Sam Two"), program=prog, code=code.text)
        self.walk(ref, "ACCEPTED", "SCHEDULED")
        self.assertEqual(self.store.rewards.process(self.store.now + DAY), (0, 1))
        seq = self.store.journal_last_seq()
        (grant,) = self.fail(ref, "CANCEL_REQUESTED", "CANCELLED").values()
        self.assertEqual(grant.status, "EXPIRED")
        self.assertEqual(self.reward_events(seq), [])
        self.assertBooks(self.john)


class BooksCases(LedgerFixture):
    def test_balance_rows_and_audit(self):
        self.credit(2500, "EUR")
        self.credit(700, "GBP", hold_days=10)
        self.store.rewards.add_rule(self.program, "Upgrade", "referrer", "service_upgrade", item="+15 minutes")
        self.close(self.new_referral())
        balance = self.assertBooks(self.jane)
        self.assertIsInstance(balance, referral.Balance)
        self.assertEqual(balance.party_id, self.jane.id)
        self.assertEqual(balance.rows, (BalanceRow("EUR", 2500, 0, 2500, 0, 0, 0),
                                        BalanceRow("GBP", 0, 700, 700, 0, 0, 0),
                                        BalanceRow(None, 1, 0, 1, 0, 0, 0)))
        self.assertEqual(list(balance), list(balance.rows))
        self.assertEqual(len(balance), 3)
        self.assertEqual(balance["GBP"].pending, 700)
        self.assertEqual(balance[None].available, 1)
        self.assertIn("EUR", balance)
        self.assertNotIn("USD", balance)
        self.assertEqual(balance.row("USD"), BalanceRow("USD", 0, 0, 0, 0, 0, 0))
        self.assertEqual((balance.available("EUR"), balance.pending("GBP"), balance.available("USD")),
                         (2500, 700, 0))
        with self.assertRaises(KeyError):
            balance["USD"]
        self.assertEqual(balance.to_dict(), {"party_id": self.jane.id, "rows": [
            {"currency": "EUR", "available": 2500, "pending": 0, "issued": 2500, "redeemed": 0, "expired": 0,
             "reversed": 0},
            {"currency": "GBP", "available": 0, "pending": 700, "issued": 700, "redeemed": 0, "expired": 0,
             "reversed": 0},
            {"currency": None, "available": 1, "pending": 0, "issued": 1, "redeemed": 0, "expired": 0,
             "reversed": 0}]})

        empty = self.store.rewards.audit(self.john)  # no grants: no rows
        self.assertEqual((len(empty), empty.rows), (0, ()))
        for fn in (self.store.rewards.balance, self.store.rewards.audit):
            exc = self.assertRaisesUnchanged(referral.NotFound, fn, UNKNOWN_ID)
            self.assertReferralError(exc, -3, UNKNOWN_ID)

    def test_ledger_iteration(self):
        self.credit(hold_days=2, expiry_days=5)
        self.store.rewards.add_rule(self.program, "Discount", "referee", "percent_discount", percent=10)
        refs = [self.close(self.new_referral(f"Lead {i}")) for i in range(3)]
        self.store.advance(2 * DAY)
        self.store.rewards.process()
        self.store.rewards.redeem(party=self.jane, currency="EUR", amount=3000)
        self.store.advance(30 * DAY)
        self.store.rewards.process()

        entries = list(self.store.rewards.ledger())
        self.assertTrue(all(isinstance(e, referral.LedgerEntry) for e in entries))
        seqs = [e.seq for e in entries]
        self.assertEqual(seqs, sorted(seqs))
        self.assertEqual(len(seqs), len(set(seqs)))
        events = {e.seq: e for e in self.store.journal()}
        for e in entries:  # each entry is recorded by its own event, about its grant
            self.assertEqual(events[e.seq].type, "reward." + e.type.name.lower())
            self.assertEqual(events[e.seq].subject_id, e.grant_id)
            self.assertEqual(events[e.seq].at, e.at)
        self.assertEqual(entries[0].to_dict()["type"], "ISSUED")

        jane = list(self.store.rewards.ledger(party=self.jane))
        self.assertEqual(jane, [e for e in entries if e.party_id == self.jane.id])
        self.assertEqual([e.type for e in jane].count(LedgerType.EXPIRED), 2)
        grant = self.grants_of(refs[1])[0]
        self.assertEqual(list(self.store.rewards.ledger(grant=grant.id)),
                         [e for e in entries if e.grant_id == grant.id])
        cursor = entries[4].seq
        self.assertEqual(list(self.store.rewards.ledger(after_seq=cursor)), entries[5:])
        self.assertEqual(list(self.store.rewards.ledger(party=self.jane, after_seq=cursor)),
                         [e for e in entries[5:] if e.party_id == self.jane.id])
        self.assertEqual(list(self.store.rewards.ledger(after_seq=entries[-1].seq)), [])
        with self.store.rewards.ledger() as it:  # closing an iterator early is fine
            next(it)
        self.assertRaises(TypeError, self.store.rewards.ledger, after_seq="1")
        for party in [self.jane] + [r.referee_id for r in refs]:
            self.assertBooks(party)

    def test_grant_filters(self):
        credit = self.credit(hold_days=1)
        discount = self.store.rewards.add_rule(self.program, "Discount", "referee", "percent_discount", percent=10)
        refs = [self.close(self.new_referral(f"Lead {i}")) for i in range(2)]
        everything = list(self.store.rewards.grants())
        self.assertEqual(len(everything), 4)
        self.assertEqual([g.id for g in everything], sorted(g.id for g in everything))  # oldest first
        self.assertEqual({g.rule_id for g in self.store.rewards.grants(rule=credit)}, {credit.id})
        self.assertEqual(len(list(self.store.rewards.grants(rule=discount.id))), 2)
        self.assertEqual([g.referral_id for g in self.store.rewards.grants(referral=refs[0])], [refs[0].id] * 2)
        self.assertEqual([g.recipient_id for g in self.store.rewards.grants(recipient=self.jane)],
                         [self.jane.id] * 2)
        self.assertEqual([g.rule_id for g in self.store.rewards.grants(status="pending")], [credit.id] * 2)
        self.assertEqual(len(list(self.store.rewards.grants(status=GrantStatus.AVAILABLE, recipient=self.jane))),
                         0)
        self.assertEqual(list(self.store.rewards.grants(recipient=UNKNOWN_ID)), [])
        exc = self.assertRaisesUnchanged(referral.NotFound, self.store.rewards.grant, UNKNOWN_ID)
        self.assertReferralError(exc, -3, UNKNOWN_ID)
        self.assertRaises(referral.InvalidArgument, self.store.rewards.grants, status="spent")


class RandomWalkCases(LedgerFixture):
    """Random lifecycles with a fixed seed: after every step, every balance is
    the sum of its entries, the audit passes and no grant exists twice."""

    steps = 120
    min_grants = 10

    def test_random_lifecycles(self):
        rng = random.Random(SEED)
        prog = self.store.programs.create(name="Random", clawback=True, compliance_mode=True,
                                          exclude_existing_clients=False)
        code = self.store.codes.issue(self.john, program_id=prog.id, vanity_base="john random")
        rewards = self.store.rewards
        rewards.add_rule(prog, "Token", "referrer", "account_credit", amount=500, currency="EUR", hold_days=2,
                         expiry_days=20, trigger="seen")
        rewards.add_rule(prog, "Big", "referrer", "account_credit", amount=2000, currency="EUR", tier=3,
                         trigger="seen", cap_count=3, cap_days=10)
        rewards.add_rule(prog, "Friend", "referee", "fixed_discount", amount=1000, currency="GBP",
                         trigger="scheduled", expiry_days=5)
        rewards.add_rule(prog, "Upgrade", "referee", "service_upgrade", item="+15 minutes", hold_days=1)
        moves = {
            "RECEIVED": ["ACCEPTED", "DECLINED"], "ACCEPTED": ["SCHEDULED", "LOST"],
            "SCHEDULED": ["SCHEDULED", "SEEN", "NO_SHOW", "CANCEL_REQUESTED"],
            "NO_SHOW": ["SCHEDULED", "LOST"], "SEEN": ["SEEN", "SCHEDULED", "CLOSED"],
            "CANCEL_REQUESTED": ["CANCELLED", "CLOSED"],
        }
        open_refs = []
        parties = {self.john.id}
        for step in range(self.steps):
            roll = rng.random()
            self.store.advance(rng.randrange(1, 3 * DAY))
            if roll < 0.2 or not open_refs:
                lead = self.lead(f"Lead {step}", payer=rng.choice(["self_pay", "federal", "private_insurance"]))
                open_refs.append(self.refer(lead, program=prog, code=code.text))
                parties.add(lead.id)
            elif roll < 0.8:
                ref = rng.choice(open_refs)
                to = rng.choice(moves[ref.state.name] + ["ENTERED_IN_ERROR"] * (rng.random() < 0.05))
                self.walk(ref, to, step=1)
                if ref.is_terminal:
                    open_refs.remove(ref)
            elif roll < 0.9:
                rewards.process()
            else:
                party = rng.choice(sorted(parties))
                currency = rng.choice(["EUR", "GBP"])
                available = rewards.balance(party).available(currency)
                if available:
                    amount = rng.randrange(1, available + 1)
                    used = rewards.balance(party).row(currency).redeemed
                    self.assertEqual(rewards.redeem(party=party, currency=currency, amount=amount), amount)
                    self.assertEqual(rewards.balance(party).row(currency).redeemed, used + amount)
            for party in parties:
                self.assertBooks(party)
        self.assertGreater(len(list(rewards.grants())), self.min_grants)  # the walk did exercise the rules


class MemoryHoldAndExpiryTest(MemoryBackend, HoldAndExpiryCases, unittest.TestCase):
    pass


class SqliteHoldAndExpiryTest(SqliteBackend, HoldAndExpiryCases, unittest.TestCase):
    def test_process_from_two_handles_moves_each_grant_once(self):
        self.credit(hold_days=3)
        grant = self.closed_grant()
        with self.open_store(now=T0 + 30 * DAY) as other:
            self.assertEqual(self.store.rewards.process(T0 + 30 * DAY), (1, 0))
            self.assertEqual(other.rewards.process(), (0, 0))
            self.assertEqual(other.rewards.grant(grant.id).status, "AVAILABLE")
            self.assertEqual(len(list(other.rewards.ledger(grant=grant))), 2)


class MemoryRedeemTest(MemoryBackend, RedeemCases, unittest.TestCase):
    pass


class SqliteRedeemTest(SqliteBackend, RedeemCases, unittest.TestCase):
    pass


class MemoryReversalTest(MemoryBackend, ReversalCases, unittest.TestCase):
    pass


class SqliteReversalTest(SqliteBackend, ReversalCases, unittest.TestCase):
    pass


class MemoryBooksTest(MemoryBackend, BooksCases, unittest.TestCase):
    pass


class SqliteBooksTest(SqliteBackend, BooksCases, unittest.TestCase):
    def test_reopen_keeps_the_books(self):
        self.credit(hold_days=1)
        grant = self.closed_grant()
        self.store.rewards.process(self.store.now + DAY)
        self.store.rewards.redeem(grant, amount=700, reference="INV-3")
        entries = list(self.store.rewards.ledger())
        balance = self.store.rewards.balance(self.jane)
        self.store.close()
        with self.open_store(now=T0 + 10 * DAY) as store:
            self.assertEqual(list(store.rewards.ledger()), entries)
            self.assertEqual(store.rewards.audit(self.jane), balance)
            self.assertEqual(store.rewards.grant(grant).remaining, 1800)

    def test_audit_finds_tampered_books(self):
        """Rows changed behind the library's back (here with Python's sqlite3)
        are caught by the audit, which names the grant; the balance still sums."""
        self.credit()
        tampering = [
            ("UPDATE reward_grants SET status = ? WHERE id = ?", core.RF_GRANT_SETTLED),
            ("DELETE FROM ledger_entries WHERE grant_id = ? AND type = ?", core.RF_LEDGER_RELEASED),
        ]
        for i, (sql, value) in enumerate(tampering):
            with self.subTest(sql=sql):
                grant = self.closed_grant(f"Lead {i}")
                self.store.rewards.redeem(grant, amount=500)
                self.assertBooks(self.jane)
                now = self.store.now
                self.store.close()
                args = (value, grant.id) if sql.startswith("UPDATE") else (grant.id, value)
                with sqlite3.connect(self.db_path()) as db:
                    db.execute(sql, args)
                self.store = self.open_store(now=now)
                self.addCleanup(self.store.close)
                with self.assertRaises(referral.IntegrityError) as cm:
                    self.store.rewards.audit(self.jane)
                self.assertReferralError(cm.exception, core.RF_EINTEGRITY, grant.id)
                self.assertEqual(cm.exception.error_class, core.RF_ERRCLASS_REWARD)
                self.assertEqual(self.store.rewards.balance(self.jane).rows, self.ledger_rows(self.jane))
                self.store.close()
                with sqlite3.connect(self.db_path()) as db:  # undo: the next case starts from good books
                    db.execute("DELETE FROM reward_grants WHERE id = ?", (grant.id,))
                    db.execute("DELETE FROM ledger_entries WHERE grant_id = ?", (grant.id,))
                self.store = self.open_store(now=now)
                self.addCleanup(self.store.close)
                self.assertBooks(self.jane)


class MemoryRandomWalkTest(MemoryBackend, RandomWalkCases, unittest.TestCase):
    pass


class SqliteRandomWalkTest(SqliteBackend, RandomWalkCases, unittest.TestCase):
    steps = 60
    min_grants = 5


if __name__ == "__main__":
    unittest.main()
