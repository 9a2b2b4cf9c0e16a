"""store.rewards rules (every kind, validation, retiring, idempotency), the
programme's reward options (clawback, compliance mode) and the low-level SWIG
calls. Grants are in test_reward_grants.py, the ledger in test_reward_ledger.py."""

import datetime as dt
import unittest

import referral
from referral import GrantStatus, RewardKind, RewardRecipient, core
from support import DAY, T0, MemoryBackend, RewardFixture, SqliteBackend

UTC = dt.timezone.utc
UNKNOWN_ID = "0190a1b2-0000-7000-8000-000000000000"

RULE_ADDED = core.RF_EVENT_REWARD_RULE_ADDED
RULE_RETIRED = core.RF_EVENT_REWARD_RULE_RETIRED


class RuleCases(RewardFixture):
    def add(self, name="Reward", recipient="referrer", kind="account_credit", **kwargs):
        if kind in ("account_credit", "fixed_discount") and "amount" not in kwargs:
            kwargs.update(amount=2500, currency="EUR")
        return self.store.rewards.add_rule(self.program, name, recipient, kind, **kwargs)

    # --- success paths -------------------------------------------------------------

    def test_add_every_kind(self):
        cases = [
            ("account_credit", dict(amount=2500, currency="EUR"), (2500, "EUR", None, None)),
            ("fixed_discount", dict(amount=1000, currency="GBP"), (1000, "GBP", None, None)),
            ("percent_discount", dict(percent=15), (None, None, 15, None)),
            ("service_upgrade", dict(item="+15 minutes"), (None, None, None, "+15 minutes")),
            ("priority_booking", dict(expiry_days=90), (None, None, None, None)),
            ("charity_donation", dict(amount=500, currency="USD", item="Food bank"),
             (500, "USD", None, "Food bank")),
            ("gift", dict(item="Massage oil"), (None, None, None, "Massage oil")),
            ("gift", dict(item="Hamper", amount=4000, currency="EUR"), (4000, "EUR", None, "Hamper")),
            ("thank_you_note", {}, (None, None, None, None)),
        ]
        for i, (kind, kwargs, terms) in enumerate(cases):
            with self.subTest(kind=kind, i=i):
                seq = self.store.journal_last_seq()
                rule = self.store.rewards.add_rule(self.program, f"Rule {i}", "referee", kind, **kwargs)
                self.assertIsInstance(rule, referral.RewardRule)
                self.assertRegex(rule.id, r"^[0-9a-f-]{36}$")
                self.assertEqual(rule.program_id, self.program.id)
                self.assertEqual(rule.name, f"Rule {i}")
                self.assertIs(rule.recipient, RewardRecipient.REFEREE)
                self.assertIs(rule.kind, RewardKind.coerce(kind))
                self.assertEqual(rule.kind, kind.upper())
                self.assertEqual((rule.amount, rule.currency, rule.percent, rule.item), terms)
                self.assertIs(rule.trigger, referral.ReferralState.CLOSED)
                self.assertEqual(rule.expiry_days, kwargs.get("expiry_days", 0))
                self.assertEqual((rule.hold_days, rule.cap_count, rule.cap_days, rule.tier), (0, 0, 365, 1))
                self.assertIs(rule.active, True)
                self.assertEqual(rule.created_at, T0)
                self.assertEqual(rule.created_at_dt, dt.datetime(2026, 3, 1, tzinfo=UTC))
                events = list(self.store.journal(after=seq))
                self.assertEqual([(e.type, e.subject_id) for e in events], [(RULE_ADDED, rule.id)])
                self.assertEqual(self.store.rewards.rule(rule.id), rule)
                d = rule.to_dict()
                self.assertEqual(d["kind"], kind.upper())
                self.assertEqual(d["trigger"], "CLOSED")
                self.assertEqual(d["recipient"], "REFEREE")
        self.assertEqual(RewardKind.ACCOUNT_CREDIT.is_money, True)
        self.assertEqual(RewardKind.GIFT.is_money, False)

    def test_every_term(self):
        rule = self.store.rewards.add_rule(
            self.program.id, "Premium", RewardRecipient.REFERRER, RewardKind.ACCOUNT_CREDIT,
            trigger="seen", amount=referral.AMOUNT_MAX, currency="JPY", expiry_days=referral.REWARD_DAYS_MAX,
            hold_days=14, cap_count=3, cap_days=30, tier=5, idempotency_key="rule-1")
        self.assertEqual((rule.trigger, rule.amount, rule.currency, rule.expiry_days, rule.hold_days,
                          rule.cap_count, rule.cap_days, rule.tier),
                         ("SEEN", 10**12, "JPY", 3650, 14, 3, 30, 5))
        self.assertEqual(list(self.store.journal())[-1].idempotency_key, "rule-1")

    def test_enums_accept_names_members_and_ints(self):
        for i, (recipient, kind, trigger) in enumerate([
                ("Referee", "Percent-Discount", "scheduled"),
                (RewardRecipient.REFEREE, RewardKind.PERCENT_DISCOUNT, referral.ReferralState.SCHEDULED),
                (core.RF_RECIPIENT_REFEREE, core.RF_REWARD_PERCENT_DISCOUNT, core.RF_REFERRAL_SCHEDULED)]):
            with self.subTest(i=i):
                rule = self.store.rewards.add_rule(self.program, f"r{i}", recipient, kind, trigger=trigger,
                                                   percent=10)
                self.assertEqual((rule.recipient, rule.kind, rule.trigger),
                                 ("REFEREE", "PERCENT_DISCOUNT", "SCHEDULED"))
                self.assertEqual(int(rule.kind), core.RF_REWARD_PERCENT_DISCOUNT)
        for enum, c_name in ((RewardRecipient.STAFF, core.rf_reward_recipient_name),
                             (RewardKind.GIFT, core.rf_reward_kind_name),
                             (GrantStatus.SETTLED, core.rf_grant_status_name),
                             (referral.LedgerType.REVERSED, core.rf_ledger_type_name)):
            self.assertEqual(c_name(int(enum)), enum.name)
        self.assertEqual(core.rf_reward_kind_name(99), "UNSET")

    def test_get_list_and_retire(self):
        first = self.add("Credit")
        self.store.advance(60)
        second = self.add("Friend's session", recipient="referee", kind="service_upgrade", item="free session")
        other = self.store.programs.create(name="GP partners")
        self.store.rewards.add_rule(other, "Note", "referrer", "thank_you_note")
        self.assertEqual(list(self.store.rewards.rules(self.program)), [first, second])
        self.assertEqual(self.store.rewards.rule(second), second)

        self.store.advance(60)
        seq = self.store.journal_last_seq()
        retired = self.store.rewards.retire_rule(first)
        self.assertIs(retired.active, False)
        self.assertEqual(retired.id, first.id)
        self.assertEqual([(e.type, e.subject_id) for e in self.store.journal(after=seq)],
                         [(RULE_RETIRED, first.id)])
        seq = self.store.journal_last_seq()
        self.assertEqual(self.store.rewards.retire_rule(first.id), retired)  # again: nothing changes
        self.assertEqual(self.store.journal_last_seq(), seq)
        self.assertEqual(list(self.store.rewards.rules(self.program.id)), [retired, second])  # retired ones too

        # A retired rule grants nothing; its programme's referrer trigger is free again.
        ref = self.close(self.new_referral("Sam Two"))
        self.assertEqual([g.rule_id for g in self.grants_of(ref)], [second.id])
        seen = self.add("Seen credit", trigger="seen")
        self.assertEqual(seen.trigger, "SEEN")

        for fn, arg in ((self.store.rewards.rule, UNKNOWN_ID), (self.store.rewards.retire_rule, UNKNOWN_ID),
                        (self.store.rewards.rules, UNKNOWN_ID)):
            with self.subTest(fn=fn.__name__):
                exc = self.assertRaisesUnchanged(referral.NotFound, fn, arg)
                self.assertReferralError(exc, -3, UNKNOWN_ID)

    def test_idempotent_add(self):
        first = self.add("Credit", idempotency_key="rule-1")
        seq = self.store.journal_last_seq()
        self.store.advance(60)
        self.assertEqual(self.add("Credit", idempotency_key="rule-1"), first)
        self.assertEqual(self.store.journal_last_seq(), seq)
        self.assertEqual(len(list(self.store.rewards.rules(self.program))), 1)
        exc = self.assertRaisesUnchanged(referral.Conflict, self.add, "Credit", amount=3000, currency="EUR",
                                         idempotency_key="rule-1")
        self.assertReferralError(exc, -6, "rule-1")

    # --- refusals ------------------------------------------------------------------

    def test_validation(self):
        self.add("Closing credit")  # a referrer rule triggered at CLOSED
        cases = [
            (dict(name=None), ("name",)),
            (dict(name=""), ("name",)),
            (dict(name="x" * 201), ("name",)),
            (dict(name="bad \udcff"), ("name", "UTF-8")),
            (dict(recipient=None), ("recipient",)),
            (dict(kind=None), ("kind",)),
            (dict(recipient="referee", trigger="accepted"), ("trigger",)),
            (dict(recipient="referee", trigger="cancelled"), ("trigger",)),
            (dict(amount=None, currency=None), ("amount",)),
            (dict(amount=2500, currency=None), ("currency",)),
            (dict(amount=-5, currency="EUR"), ("amount",)),
            (dict(amount=0, currency="EUR"), ("amount",)),
            (dict(amount=referral.AMOUNT_MAX + 1, currency="EUR"), ("amount",)),
            (dict(amount=2**63, currency="EUR"), ("amount",)),
            (dict(amount=-2**63, currency="EUR"), ("amount",)),
            (dict(amount=2500, currency="XYZ"), ("currency", "XYZ")),
            (dict(amount=2500, currency="eur"), ("currency",)),
            (dict(amount=2500, currency="EUR", percent=10), ("percent",)),
            (dict(amount=2500, currency="EUR", item="x"), ("item",)),
            (dict(kind="fixed_discount", amount=None, currency="EUR"), ("amount", "currency")),
            (dict(kind="charity_donation", amount=500, currency="EUR"), ("item",)),
            (dict(kind="charity_donation", item="Food bank"), ("amount",)),
            (dict(kind="percent_discount"), ("percent",)),
            (dict(kind="percent_discount", percent=0), ("percent",)),
            (dict(kind="percent_discount", percent=101), ("percent",)),
            (dict(kind="percent_discount", percent=10, amount=100, currency="EUR"), ("amount", "currency")),
            (dict(kind="percent_discount", percent=10, item="x"), ("item",)),
            (dict(kind="service_upgrade"), ("item",)),
            (dict(kind="service_upgrade", item="+15 minutes", amount=100, currency="EUR"), ("amount", "currency")),
            (dict(kind="priority_booking"), ("expiry_days",)),
            (dict(kind="priority_booking", expiry_days=30, item="x"), ("item",)),
            (dict(kind="gift"), ("item",)),
            (dict(kind="gift", item="Hamper", amount=4000), ("currency", "amount")),
            (dict(kind="gift", item="Hamper", currency="EUR"), ("amount", "currency")),
            (dict(kind="thank_you_note", amount=100, currency="EUR"), ("amount", "currency")),
            (dict(kind="thank_you_note", percent=10), ("percent",)),
            (dict(kind="thank_you_note", item="card"), ("item",)),
            (dict(kind="service_upgrade", item="x" * 501), ("item",)),
            (dict(expiry_days=3651), ("expiry_days",)),
            (dict(expiry_days=-2), ("expiry_days",)),
            (dict(hold_days=3651), ("hold_days",)),
            (dict(hold_days=-1), ("hold_days",)),  # refused by the binding: None is "unset"
            (dict(cap_count=1001), ("cap_count",)),
            (dict(cap_count=-3), ("cap_count",)),
            (dict(cap_days=0), ("cap_days",)),
            (dict(cap_days=3651), ("cap_days",)),
            (dict(tier=0), ("tier",)),
            (dict(tier=1001), ("tier",)),
            (dict(recipient="referee", tier=2), ("tier",)),
            (dict(recipient="staff", tier=3), ("tier",)),
            (dict(trigger="seen"), ("trigger",)),  # the programme's referrer rules trigger at CLOSED
            (dict(recipient="nobody"), ("recipient",)),  # refused by the facade
            (dict(kind="voucher"), ("kind",)),
        ]
        for kwargs, fragments in cases:
            args = dict(name="Rule", recipient="referrer")
            if "kind" not in kwargs:  # an account credit, complete but for what the case changes
                args.update(kind="account_credit", amount=2500, currency="EUR")
            args.update(kwargs)
            with self.subTest(**{k: str(v)[:20] for k, v in kwargs.items()}):
                exc = self.assertRaisesUnchanged(referral.InvalidArgument, self.store.rewards.add_rule,
                                                 self.program, **args)
                self.assertEqual(exc.code, -5)
                self.assertIsInstance(exc, ValueError)
                self.assertTrue(any(f in exc.message for f in fragments), f"{fragments} not in {exc.message!r}")
        exc = self.assertRaisesUnchanged(referral.InvalidArgument, self.add, "Rule", amount=-1, currency="EUR")
        self.assertEqual(exc.error_class, core.RF_ERRCLASS_REWARD)
        exc = self.assertRaisesUnchanged(referral.NotFound, self.store.rewards.add_rule, UNKNOWN_ID, "Rule",
                                         "referrer", "thank_you_note")
        self.assertReferralError(exc, -3, UNKNOWN_ID)
        # Money is an int of minor units, never a float; unknown options never pass silently.
        self.assertRaisesUnchanged(TypeError, self.add, "Rule", amount=25.0, currency="EUR")
        self.assertRaisesUnchanged(TypeError, self.add, "Rule", amount=True, currency="EUR")
        self.assertRaisesUnchanged(TypeError, self.add, "Rule", amount=2500, currency="EUR", colour="red")
        self.assertRaisesUnchanged(TypeError, core.rf_reward_rule_add, self.store._h,
                                   {"program_id": self.program.id, "amout": 1})


class ProgramOptionCases(RewardFixture):
    def test_programme_options(self):
        self.assertEqual((self.program.clawback, self.program.compliance_mode), (False, False))
        prog = self.store.programs.create(name="Strict", clawback=True, compliance_mode=True)
        self.assertIs(prog.clawback, True)
        self.assertIs(prog.compliance_mode, True)
        self.assertEqual(prog.to_dict()["clawback"], True)
        self.assertEqual(self.store.programs.get(prog.id), prog)
        self.store.advance(DAY)
        seq = self.store.journal_last_seq()
        changed = self.store.programs.update(prog, clawback=False, compliance_mode=0)
        self.assertEqual((changed.clawback, changed.compliance_mode), (False, False))
        (event,) = list(self.store.journal(after=seq))
        self.assertEqual(event.type, core.RF_EVENT_PROGRAM_UPDATED)
        self.assertIn("clawback", event.data)
        self.assertIn("compliance_mode", event.data)
        changed = self.store.programs.update(prog.id, clawback=True)
        self.assertEqual((changed.clawback, changed.compliance_mode), (True, False))

        for kwargs in (dict(clawback=2), dict(compliance_mode=-2), dict(clawback=-1)):
            with self.subTest(**kwargs):
                exc = self.assertRaisesUnchanged(referral.InvalidArgument, self.store.programs.update, prog,
                                                 **kwargs)
                self.assertIn(next(iter(kwargs)), exc.message)
                exc = self.assertRaisesUnchanged(referral.InvalidArgument, self.store.programs.create,
                                                 name="Other", **kwargs)
                self.assertIn(next(iter(kwargs)), exc.message)
        self.assertRaisesUnchanged(TypeError, self.store.programs.update, prog, clawback="yes")
        self.assertRaisesUnchanged(TypeError, self.store.programs.update, prog, claw_back=True)


class LowLevelCases(RewardFixture):
    """The SWIG module mirrors the C API: dict options, `T **out` results, argout integers."""

    def test_core_calls(self):
        h = self.store._h
        rule = core.rf_reward_rule_add(h, {"program_id": self.program.id, "name": "Credit",
                                           "recipient": core.RF_RECIPIENT_REFERRER,
                                           "kind": core.RF_REWARD_ACCOUNT_CREDIT, "amount": 2500,
                                           "currency": "EUR", "percent": None})
        self.assertEqual(core.rf_reward_rule_amount(rule), 2500)
        self.assertEqual(core.rf_reward_rule_trigger(rule), core.RF_REFERRAL_CLOSED)
        self.assertEqual([core.rf_reward_rule_id(r) for r in core.rf_reward_rule_list(h, self.program.id)],
                         [core.rf_reward_rule_id(rule)])
        self.assertEqual(list(core.rf_rewards_process(h, None)), [0, 0])
        self.assertEqual(list(core.rf_rewards_process(h, T0)), [0, 0])
        with self.assertRaises(TypeError):
            core.rf_rewards_process(h, "now")

        ref = self.close(self.new_referral())
        grants = list(core.rf_grant_list(h, {"referral_id": ref.id}))
        self.assertEqual(len(grants), 1)
        self.assertEqual(core.rf_grant_get_status(grants[0]), core.RF_GRANT_AVAILABLE)
        self.assertEqual(len(list(core.rf_grant_list(h, None))), 1)
        entries = list(core.rf_ledger_list(h, {"grant_id": core.rf_grant_id(grants[0])}))
        self.assertEqual([core.rf_ledger_entry_type(e) for e in entries], [core.RF_LEDGER_ISSUED,
                                                                          core.RF_LEDGER_RELEASED])
        self.assertEqual(list(core.rf_ledger_list(h, {"after_seq": core.rf_ledger_entry_seq(entries[1])})), [])
        redeemed = core.rf_reward_redeem(h, {"grant_id": core.rf_grant_id(grants[0]), "amount": 1000})
        self.assertEqual(redeemed, 1000)

        balance = core.rf_reward_balance(h, self.jane.id)
        self.assertEqual(len(balance), 1)
        self.assertEqual(balance[0], ("EUR", 1500, 0, 2500, 1000, 0, 0))
        self.assertEqual(balance[-1], balance[0])
        with self.assertRaises(IndexError):
            balance[1]
        core.rf_balance_free(balance)

        progress = core.rf_reward_progress(h, self.jane.id, self.program.id)
        self.assertEqual(core.rf_tier_progress_count(progress), 1)
        self.assertEqual(core.rf_tier_progress_unlock_count(progress), 0)
        self.assertIsNone(core.rf_tier_progress_unlock(progress, 0))
        with self.assertRaises(referral.InsufficientBalance) as cm:
            core.rf_reward_redeem(h, {"party_id": self.jane.id, "currency": "EUR", "amount": 1501})
        self.assertEqual(cm.exception.code, core.RF_EBALANCE)
        self.assertEqual(referral.InsufficientBalance.code, -13)
        self.assertEqual(referral.IntegrityError.code, core.RF_EINTEGRITY)
        self.assertTrue(issubclass(referral.IntegrityError, referral.ReferralError))
        self.assertEqual(referral.strerror(core.RF_EBALANCE), core.rf_strerror(-13))
        with self.assertRaises(TypeError):
            core.rf_reward_redeem(h, {"grant_id": core.rf_grant_id(grants[0]), "amount": 1.5})
        with self.assertRaisesRegex(TypeError, "amout"):
            core.rf_reward_redeem(h, {"amout": 1})

    def test_borrowed_unlock_keeps_its_report_alive(self):
        self.store.rewards.add_rule(self.program, "Token", "referrer", "gift", item="Pen")
        h = self.store._h
        progress = core.rf_reward_progress(h, self.jane.id, self.program.id)
        rule = core.rf_tier_progress_unlock(progress, 0)
        del progress
        self.assertEqual(core.rf_reward_rule_name(rule), "Token")


class MemoryRuleTest(MemoryBackend, RuleCases, unittest.TestCase):
    pass


class SqliteRuleTest(SqliteBackend, RuleCases, unittest.TestCase):
    pass


class MemoryProgramOptionTest(MemoryBackend, ProgramOptionCases, unittest.TestCase):
    pass


class SqliteProgramOptionTest(SqliteBackend, ProgramOptionCases, unittest.TestCase):
    pass


class MemoryLowLevelTest(MemoryBackend, LowLevelCases, unittest.TestCase):
    pass


if __name__ == "__main__":
    unittest.main()
