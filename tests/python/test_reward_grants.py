"""store.rewards grants: who gets what (dual-sided, staff, every kind, inbound
only), trigger states and re-entry, replays, tiers and progress, caps and
compliance mode."""

import datetime as dt
import unittest

import referral
from referral import GrantStatus, RewardRecipient, core
from support import DAY, T0, MemoryBackend, RewardFixture, SqliteBackend

UTC = dt.timezone.utc
UNKNOWN_ID = "0190a1b2-0000-7000-8000-000000000000"

ISSUED = core.RF_EVENT_REWARD_ISSUED
RELEASED = core.RF_EVENT_REWARD_RELEASED
KEPT = core.RF_EVENT_REWARD_KEPT
CAPPED = core.RF_EVENT_REWARD_CAPPED
SKIPPED = core.RF_EVENT_REWARD_SKIPPED


class GrantCases(RewardFixture):
    def rule(self, name, recipient, kind, program=None, **kwargs):
        return self.store.rewards.add_rule(program or self.program, name, recipient, kind, **kwargs)

    def issued_events(self, seq):
        return [e for e in self.store.journal(after=seq) if e.type.startswith("reward.")]

    # --- who gets what ---------------------------------------------------------------

    def test_dual_sided(self):
        credit = self.rule("Thank-you credit", "referrer", "account_credit", amount=2500, currency="EUR")
        session = self.rule("Friend's discount", "referee", "percent_discount", percent=20)
        ref = self.new_referral("Sam Two")
        self.walk(ref, "ACCEPTED", "SCHEDULED", "SEEN")
        self.assertEqual(self.grants_of(ref), [])
        seq = self.store.journal_last_seq()
        self.walk(ref, "CLOSED")
        now = self.store.now
        grants = {g.rule_id: g for g in self.grants_of(ref)}
        self.assertEqual(set(grants), {credit.id, session.id})

        g = grants[credit.id]
        self.assertIsInstance(g, referral.Grant)
        self.assertEqual((g.program_id, g.referral_id, g.recipient_id, g.recipient),
                         (self.program.id, ref.id, self.jane.id, RewardRecipient.REFERRER))
        self.assertEqual((g.kind, g.rule_kind, g.compliance), ("ACCOUNT_CREDIT", "ACCOUNT_CREDIT", False))
        self.assertEqual((g.amount, g.currency, g.units, g.remaining, g.percent, g.item), (2500, "EUR", 2500, 2500,
                                                                                          None, None))
        self.assertEqual((g.tier_count, g.status), (1, GrantStatus.AVAILABLE))
        self.assertEqual((g.issued_at, g.release_at, g.released_at, g.expires_at, g.closed_at),
                         (now, now, now, None, None))
        self.assertEqual(g.issued_at_dt, dt.datetime.fromtimestamp(now, UTC))
        self.assertEqual(self.store.rewards.grant(g.id), g)
        self.assertEqual(g.to_dict()["status"], "AVAILABLE")

        s = grants[session.id]
        self.assertEqual((s.recipient_id, s.recipient, s.kind, s.percent, s.units, s.remaining, s.amount,
                          s.currency, s.tier_count, s.status),
                         (ref.referee_id, "REFEREE", "PERCENT_DISCOUNT", 20, 1, 1, None, None, 0, "AVAILABLE"))

        events = self.issued_events(seq)
        for grant in (g, s):
            mine = [(e.type, e.object_id) for e in events if e.subject_id == grant.id]
            self.assertEqual(mine, [(ISSUED, grant.recipient_id), (RELEASED, grant.recipient_id)])
        self.assertEqual(self.store.rewards.balance(self.jane).rows,
                         (referral.BalanceRow("EUR", 2500, 0, 2500, 0, 0, 0),))
        self.assertEqual(self.store.rewards.balance(ref.referee_id).rows,
                         (referral.BalanceRow(None, 1, 0, 1, 0, 0, 0),))
        self.assertBooks(self.jane)
        self.assertBooks(ref.referee_id)

    def test_every_kind_is_granted_in_its_units(self):
        kinds = [
            ("account_credit", dict(amount=2500, currency="EUR"), 2500, "EUR", "AVAILABLE"),
            ("fixed_discount", dict(amount=1000, currency="EUR"), 1000, "EUR", "AVAILABLE"),
            ("charity_donation", dict(amount=500, currency="GBP", item="Food bank"), 500, "GBP", "AVAILABLE"),
            ("percent_discount", dict(percent=15), 1, None, "AVAILABLE"),
            ("service_upgrade", dict(item="+15 minutes"), 1, None, "AVAILABLE"),
            ("priority_booking", dict(expiry_days=90), 1, None, "AVAILABLE"),
            ("gift", dict(item="Hamper", amount=4000, currency="EUR"), 1, None, "AVAILABLE"),
            ("thank_you_note", {}, 0, None, "SETTLED"),
        ]
        rules = {self.rule(kind, "referrer", kind, **kwargs).id: (kind, units, currency, status)
                 for kind, kwargs, units, currency, status in kinds}
        ref = self.close(self.new_referral())
        now = self.store.now
        grants = self.grants_of(ref)
        self.assertEqual(len(grants), len(kinds))
        for g in grants:
            kind, units, currency, status = rules[g.rule_id]
            with self.subTest(kind=kind):
                self.assertEqual((g.kind, g.units, g.remaining, g.status), (kind.upper(), units, units, status))
                entries = list(self.store.rewards.ledger(grant=g))
                self.assertEqual([(e.type, e.amount, e.currency, e.pending_delta, e.available_delta)
                                  for e in entries],
                                 [("ISSUED", units, currency, units, 0), ("RELEASED", units, currency, -units,
                                                                          units)])
                if kind == "priority_booking":
                    self.assertEqual(g.expires_at, now + 90 * DAY)
                if kind == "gift":
                    self.assertEqual((g.amount, g.currency, g.item), (4000, "EUR", "Hamper"))  # its cost
                if kind == "thank_you_note":
                    self.assertEqual(g.closed_at, now)
        self.assertEqual(self.assertBooks(self.jane).rows, (
            referral.BalanceRow("EUR", 3500, 0, 3500, 0, 0, 0),
            referral.BalanceRow("GBP", 500, 0, 500, 0, 0, 0),
            referral.BalanceRow(None, 4, 0, 4, 0, 0, 0)))

    def test_staff_and_skipped(self):
        rule = self.rule("Staff thanks", "staff", "gift", item="Coffee voucher")
        lead = self.lead("Sam Two")
        ref = self.close(self.refer(lead, code="jane-doe", practitioner=self.dr))
        (g,) = self.grants_of(ref)
        self.assertEqual((g.recipient, g.recipient_id, g.tier_count), ("STAFF", self.dr.id, 0))

        ref = self.new_referral("Sam Three")
        self.walk(ref, "ACCEPTED", "SCHEDULED", "SEEN")
        seq = self.store.journal_last_seq()
        self.walk(ref, "CLOSED")
        self.assertEqual(self.grants_of(ref), [])
        skipped = [e for e in self.store.journal(after=seq) if e.type == SKIPPED]
        self.assertEqual(len(skipped), 1)
        self.assertIn("reason=no_staff", skipped[0].data)
        self.assertIn(rule.id, skipped[0].data)

    def test_only_inbound_referrals_earn(self):
        self.rule("Credit", "referrer", "account_credit", amount=2500, currency="EUR")
        self.rule("Referee gift", "referee", "gift", item="Hamper")
        out = self.refer(self.jane, direction="outbound", target=self.gp)
        self.close(out)
        self.assertEqual(self.grants_of(out), [])
        self.assertEqual(list(self.store.rewards.grants()), [])

    def test_triggers_and_reentry(self):
        booked = self.rule("Booked", "referee", "service_upgrade", trigger="scheduled", item="+15 minutes")
        visited = self.rule("Visited", "staff", "thank_you_note", trigger="seen")
        lead = self.lead("Sam Two")
        ref = self.refer(lead, code="jane-doe", practitioner=self.dr)
        self.walk(ref, "ACCEPTED")
        self.assertEqual(self.grants_of(ref), [])
        self.walk(ref, "SCHEDULED")
        self.assertEqual([g.rule_id for g in self.grants_of(ref)], [booked.id])
        seq = self.store.journal_last_seq()
        self.walk(ref, "SCHEDULED")  # a reschedule enters SCHEDULED again
        self.assertEqual(len(self.grants_of(ref)), 1)
        self.assertEqual([e.type for e in self.issued_events(seq)], [])
        self.walk(ref, "SEEN")
        self.assertEqual(sorted(g.rule_id for g in self.grants_of(ref)), sorted([booked.id, visited.id]))
        seq = self.store.journal_last_seq()
        self.walk(ref, "SEEN", "SCHEDULED", "SEEN", "CLOSED")  # a further visit, a follow-up
        self.assertEqual(len(self.grants_of(ref)), 2)
        self.assertEqual([e.type for e in self.issued_events(seq)], [])
        self.assertBooks(lead)
        self.assertBooks(self.dr)

    def test_replays_change_nothing(self):
        self.rule("Booked", "referee", "gift", trigger="scheduled", item="Hamper")
        self.rule("Credit", "referrer", "account_credit", trigger="scheduled", amount=2500, currency="EUR",
                  hold_days=7)
        ref = self.walk(self.new_referral(), "ACCEPTED")
        self.store.advance(3600)
        at = self.store.now + 7 * DAY
        ref.advance("scheduled", appointment_at=at, idempotency_key="move-1")
        before = self.snapshot()
        self.store.advance(3600)
        again = self.store.referrals.advance(ref, "scheduled", appointment_at=at, idempotency_key="move-1")
        self.assertEqual(again.state, "SCHEDULED")
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(len(self.grants_of(ref)), 2)
        # Hold and resume enter SCHEDULED again: still one grant per rule and recipient.
        self.walk(ref, "ON_HOLD")
        seq = self.store.journal_last_seq()
        ref.resume(idempotency_key="resume-1")
        self.assertEqual(ref.state, "SCHEDULED")
        self.assertEqual(self.issued_events(seq), [])
        before = self.snapshot()
        self.store.referrals.resume(ref, idempotency_key="resume-1")
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(len(self.grants_of(ref)), 2)
        self.assertBooks(self.jane)

    # --- tiers -----------------------------------------------------------------------------

    def test_tiers_and_progress(self):
        token = self.rule("Token", "referrer", "account_credit", amount=500, currency="EUR")
        bigger = self.rule("Bigger", "referrer", "account_credit", amount=1500, currency="EUR", tier=3)
        bigger_gift = self.rule("Bigger gift", "referrer", "gift", item="Hamper", tier=3)
        premium = self.rule("Premium", "referrer", "account_credit", amount=5000, currency="EUR", tier=5)
        friend = self.rule("Friend", "referee", "percent_discount", percent=10)

        def progress():
            p = self.store.rewards.progress(self.jane, self.program)
            return p.count, p.tier, p.next_tier, p.to_next, [r.id for r in p.unlocks]

        p = self.store.rewards.progress(self.jane.id, self.program.id)
        self.assertIsInstance(p, referral.TierProgress)
        self.assertEqual((p.party_id, p.program_id), (self.jane.id, self.program.id))
        self.assertEqual(p.unlocks, (token,))
        self.assertIs(p.at_top, False)
        self.assertEqual(p.to_dict()["unlocks"], [token.to_dict()])
        self.assertEqual(progress(), (0, 0, 1, 1, [token.id]))

        expected = {  # n-th qualifying referral → the referrer rules it earns, then the progress
            1: ({token.id}, (1, 1, 3, 2, [bigger.id, bigger_gift.id])),
            2: ({token.id}, (2, 1, 3, 1, [bigger.id, bigger_gift.id])),
            3: ({bigger.id, bigger_gift.id}, (3, 3, 5, 2, [premium.id])),
            4: ({bigger.id, bigger_gift.id}, (4, 3, 5, 1, [premium.id])),
            5: ({premium.id}, (5, 5, 0, 0, [])),
            6: ({premium.id}, (6, 5, 0, 0, [])),
        }
        refs = []
        for n in range(1, 7):
            with self.subTest(n=n):
                if n == 2:  # a referral that fails before the trigger never counts
                    self.walk(self.new_referral("Declined"), "DECLINED")
                ref = self.close(self.new_referral(f"Lead {n}"))
                refs.append(ref)
                grants = self.grants_of(ref)
                mine = {g.rule_id for g in grants if g.recipient_id == self.jane.id}
                self.assertEqual(mine, expected[n][0])
                self.assertEqual({g.tier_count for g in grants if g.recipient_id == self.jane.id}, {n})
                self.assertEqual([g.rule_id for g in grants if g.recipient_id != self.jane.id], [friend.id])
                self.assertEqual(progress(), expected[n][1])
        self.assertIs(self.store.rewards.progress(self.jane, self.program).at_top, True)

        # A referral entered in error stops counting; what it earned is kept (no clawback).
        seq = self.store.journal_last_seq()
        self.walk(refs[0], "ENTERED_IN_ERROR")
        self.assertEqual(progress()[:2], (5, 5))
        kept = [e for e in self.store.journal(after=seq) if e.type == KEPT]
        self.assertEqual(len(kept), 2)  # the referrer's token and the referee's discount
        self.assertTrue(all("reason=no_clawback" in e.data for e in kept))
        self.assertTrue(all(g.status == "AVAILABLE" for g in self.grants_of(refs[0])))
        self.assertBooks(self.jane)

        # Someone who referred nobody; unknown party or programme.
        self.assertEqual(self.store.rewards.progress(self.john, self.program).count, 0)
        for party, program in ((UNKNOWN_ID, self.program), (self.jane, UNKNOWN_ID)):
            exc = self.assertRaisesUnchanged(referral.NotFound, self.store.rewards.progress, party, program)
            self.assertReferralError(exc, -3, UNKNOWN_ID)

    def test_progress_without_referrer_rules_and_with_seen_ladder(self):
        p = self.store.rewards.progress(self.jane, self.program)
        self.assertEqual((p.count, p.tier, p.next_tier, p.to_next, p.unlocks), (0, 0, 0, 0, ()))
        self.close(self.new_referral())
        self.assertEqual(self.store.rewards.progress(self.jane, self.program).count, 1)  # CLOSED is the ladder
        gp_prog = self.store.programs.create(name="GP partners")
        self.rule("Seen", "referrer", "thank_you_note", program=gp_prog, trigger="seen", tier=2)
        code = self.store.codes.issue(self.john, program_id=gp_prog.id, vanity_base="john gp")
        ref = self.refer(self.lead("Seen lead"), program=gp_prog, code=code.text)
        self.walk(ref, "ACCEPTED", "SCHEDULED", "SEEN")
        p = self.store.rewards.progress(self.john, gp_prog)
        self.assertEqual((p.count, p.tier, p.next_tier, p.to_next), (1, 0, 2, 1))
        self.assertEqual(self.grants_of(ref), [])  # below the first tier

    # --- caps ---------------------------------------------------------------------------------

    def test_caps(self):
        rule = self.rule("Capped", "referrer", "account_credit", amount=1000, currency="EUR", cap_count=2,
                         cap_days=30)
        first = self.close(self.new_referral("Lead 1"))
        self.close(self.new_referral("Lead 2"))
        third = self.new_referral("Lead 3")
        self.walk(third, "ACCEPTED", "SCHEDULED", "SEEN")
        seq = self.store.journal_last_seq()
        self.walk(third, "CLOSED")
        self.assertEqual(self.grants_of(third), [])
        capped = [e for e in self.store.journal(after=seq) if e.type.startswith("reward.")]
        self.assertEqual([e.type for e in capped], [CAPPED])
        self.assertIn(rule.id, capped[0].data)
        self.assertIn(third.id, capped[0].data)
        # Once the first grant is older than the cap period, there is room again.
        first_issued = self.grants_of(first)[0].issued_at
        self.store.set_time(first_issued + 30 * DAY)
        fourth = self.close(self.new_referral("Lead 4"))
        self.assertEqual(len(self.grants_of(fourth)), 1)
        self.assertEqual(len(list(self.store.rewards.grants(rule=rule))), 3)
        self.assertEqual(self.store.rewards.balance(self.jane)["EUR"].available, 3000)
        self.assertBooks(self.jane)

    # --- compliance mode ----------------------------------------------------------------------

    def test_compliance_mode(self):
        prog = self.store.programs.create(name="Compliant", compliance_mode=True, exclude_existing_clients=False)
        self.assertIs(prog.compliance_mode, True)
        credit = self.rule("Credit", "referrer", "account_credit", program=prog, amount=2500, currency="USD")
        discount = self.rule("Discount", "referee", "percent_discount", program=prog, percent=20)
        note = self.rule("Note", "referee", "thank_you_note", program=prog)
        code = self.store.codes.issue(self.john, program_id=prog.id, vanity_base="john compliant")

        federal = self.lead("Fed Lead", payer="federal")
        seq = self.store.journal_last_seq()
        ref = self.close(self.refer(federal, program=prog, code=code.text))
        grants = {g.rule_id: g for g in self.grants_of(ref)}
        now = self.store.now
        for rule, covered in ((credit, "referee"), (discount, "recipient")):
            g = grants[rule.id]
            with self.subTest(rule=rule.name):
                self.assertEqual((g.kind, g.rule_kind, g.compliance), ("THANK_YOU_NOTE", rule.kind, True))
                self.assertEqual((g.amount, g.currency, g.percent, g.item, g.units, g.remaining),
                                 (None, None, None, None, 0, 0))
                self.assertEqual((g.status, g.closed_at), (GrantStatus.SETTLED, now))
                (issued,) = [e for e in self.store.journal(after=seq) if e.type == ISSUED and e.subject_id == g.id]
                self.assertIn(f"compliance={covered}", issued.data)
                self.assertIn(f"was={rule.kind.name}", issued.data)
        g = grants[note.id]
        self.assertEqual((g.kind, g.rule_kind, g.compliance), ("THANK_YOU_NOTE", "THANK_YOU_NOTE", False))
        self.assertEqual(len(self.store.rewards.balance(self.john)), 0)  # notes are worth nothing
        self.assertEqual(len(self.store.rewards.balance(federal)), 0)

        # The recipient is checked first: a federally insured referrer of a self-paying referee.
        self.store.parties.update(self.john, payer="federal")
        seq = self.store.journal_last_seq()
        ref = self.close(self.refer(self.lead("Self payer", payer="self_pay"), program=prog, code=code.text))
        grants = {g.rule_id: g for g in self.grants_of(ref)}
        self.assertEqual((grants[credit.id].kind, grants[credit.id].compliance), ("THANK_YOU_NOTE", True))
        self.assertEqual((grants[discount.id].kind, grants[discount.id].compliance), ("PERCENT_DISCOUNT", False))
        (issued,) = [e for e in self.store.journal(after=seq) if e.type == ISSUED
                     and e.subject_id == grants[credit.id].id]
        self.assertIn("compliance=recipient", issued.data)
        self.assertIn("was=ACCOUNT_CREDIT", issued.data)

        # Neither party federally insured: the rule's reward as it is.
        self.store.parties.update(self.john, payer="private_insurance")
        ref = self.close(self.refer(self.lead("Private", payer="private_insurance"), program=prog,
                                    code=code.text))
        grants = {g.rule_id: g for g in self.grants_of(ref)}
        self.assertEqual((grants[credit.id].kind, grants[credit.id].units, grants[credit.id].compliance),
                         ("ACCOUNT_CREDIT", 2500, False))
        self.assertEqual(self.store.rewards.balance(self.john)["USD"].available, 2500)

        # Without compliance mode a federally insured referee earns the full reward.
        self.rule("Plain credit", "referrer", "account_credit", amount=1000, currency="USD")
        ref = self.close(self.new_referral("Fed two", payer="federal"))
        (g,) = self.grants_of(ref)
        self.assertEqual((g.kind, g.compliance, g.units), ("ACCOUNT_CREDIT", False, 1000))
        self.assertBooks(self.john)
        self.assertBooks(self.jane)

class MemoryGrantTest(MemoryBackend, GrantCases, unittest.TestCase):
    pass


class SqliteGrantTest(SqliteBackend, GrantCases, unittest.TestCase):
    def test_reopen_sees_rules_and_grants(self):
        rule = self.rule("Credit", "referrer", "account_credit", amount=2500, currency="EUR", hold_days=3)
        ref = self.close(self.new_referral())
        grants = self.grants_of(ref)
        self.store.close()
        with self.open_store(now=T0 + 10 * DAY) as store:
            self.assertEqual(list(store.rewards.rules(self.program)), [rule])
            self.assertEqual(list(store.rewards.grants(referral=ref)), grants)
            self.assertEqual(store.rewards.progress(self.jane, self.program).count, 1)


if __name__ == "__main__":
    unittest.main()
