"""Fraud guards and attribution: self-referral, shared contacts, existing
clients, loops, velocity, under "block" and "flag", and the one attribution a
referee may have."""

import unittest

import referral
from referral import FraudFlag, core
from support import DAY, MemoryBackend, ReferralFixture, SqliteBackend


class FraudCases(ReferralFixture):
    def setUp(self):
        super().setUp()
        # self.program blocks and excludes existing clients; this one flags and takes clients.
        self.flagger = self.store.programs.create(name="Flagged", fraud_action="flag",
                                                  exclude_existing_clients=False)

    def assertBlocked(self, *fragments, **create):
        """The referral is refused with PolicyViolation and nothing changes."""
        exc = self.assertRaisesUnchanged(referral.PolicyViolation, self.refer, **create)
        self.assertReferralError(exc, core.RF_EPOLICY, "Client advocates", "refuses this referral", *fragments)
        self.assertEqual(exc.error_class, core.RF_ERRCLASS_REFERRAL)
        return exc

    def test_policy_violation_is_a_referral_error(self):
        self.assertTrue(issubclass(referral.PolicyViolation, referral.ReferralError))
        self.assertEqual(referral.PolicyViolation.code, -12)
        self.assertEqual(referral.PolicyViolation.__module__, "referral")
        self.assertIs(core.PolicyViolation, referral.PolicyViolation)

    def test_self_referral(self):
        sam_code = self.store.codes.issue(self.sam)
        self.assertBlocked("the referrer is the referee", referee=self.sam, code=sam_code)
        # A client presenting their own code trips the existing-client guard as well.
        exc = self.assertBlocked("the referrer is the referee", "already a client", referee=self.jane,
                                 code="jane-doe")
        self.assertEqual(self.store.codes.lookup("jane-doe").uses, 0)
        flagged = self.refer(self.sam, program=self.flagger, code=sam_code)
        self.assertEqual(flagged.fraud_flags, {"SELF_REFERRAL"})
        self.assertEqual(flagged.fraud_flags, frozenset({FraudFlag.SELF_REFERRAL}))
        self.assertEqual(flagged.state, "RECEIVED")
        self.assertEqual(flagged.to_dict()["fraud_flags"], ["SELF_REFERRAL"])
        self.assertEqual(list(self.store.journal())[-2].data, "direction=INBOUND;source=CODE;flags=1")
        self.assertIn("referee", exc.message)

    def test_shared_contact(self):
        twin = self.lead("Jay Doe", email="JANE@example.org ")
        self.assertBlocked("share an e-mail address or phone number", referee=twin, code="jane-doe")
        flagged = self.refer(twin, program=self.flagger, code="jane-doe")
        self.assertEqual(flagged.fraud_flags, {FraudFlag.SHARED_CONTACT})

    def test_existing_client(self):
        self.assertBlocked("already a client", referee=self.john, code="jane-doe")
        # The flagging programme takes clients: no flag at all.
        self.assertEqual(self.refer(self.john, program=self.flagger, code="jane-doe").fraud_flags, frozenset())
        strict = self.store.programs.create(name="Strict but flags", fraud_action="flag")
        ann = self.store.parties.add(kind="client", display_name="Ann Able")
        self.assertEqual(self.refer(ann, program=strict, code="jane-doe").fraud_flags, {"EXISTING_CLIENT"})

    def test_loop_of_three(self):
        a, b, c = self.lead("Ann Able"), self.lead("Bob Best"), self.lead("Cat Cole")
        self.refer(b, referrer=a)
        self.refer(c, referrer=b)
        self.assertBlocked("a loop", referee=a, referrer=c)
        flagged = self.refer(a, program=self.flagger, referrer=c)
        self.assertEqual(flagged.fraud_flags, {"LOOP"})

    def test_loop_of_two_and_no_loop(self):
        a, b, c = self.lead("Ann Able"), self.lead("Bob Best"), self.lead("Cat Cole")
        self.refer(b, referrer=a)
        self.assertBlocked("a loop", referee=a, referrer=b)
        # A chain is not a loop: Cat referring Ann is fine.
        self.assertEqual(self.refer(a, referrer=c).fraud_flags, frozenset())

    def test_a_loop_through_a_referral_entered_in_error_does_not_count(self):
        a, b = self.lead("Ann Able"), self.lead("Bob Best")
        mistaken = self.refer(b, referrer=a)
        mistaken.advance("entered_in_error")
        self.assertEqual(self.refer(a, referrer=b).fraud_flags, frozenset())

    def test_velocity_cap(self):
        capped = self.store.programs.create(name="Capped", velocity_cap=2, velocity_window_days=7)
        leads = [self.lead(f"Lead {i}") for i in range(5)]
        self.refer(leads[0], program=capped, code="jane-doe")
        self.store.advance(DAY)
        self.refer(leads[1], program=capped, referrer=self.jane)
        exc = self.assertRaisesUnchanged(referral.PolicyViolation, self.refer, leads[2], program=capped,
                                         code="jane-doe")
        self.assertReferralError(exc, -12, "Capped", "velocity cap", "(2 in 7 days)")
        # Other referrers and other programmes are not capped by Jane's referrals.
        self.refer(leads[2], program=capped, referrer=self.john)
        self.refer(leads[3], code="jane-doe")
        # A week after the first referral, there is room for one more.
        self.store.advance(6 * DAY + 1)
        self.refer(leads[4], program=capped, code="jane-doe")
        flag_capped = self.store.programs.create(name="Flag capped", velocity_cap=1, fraud_action="flag")
        ann, bob = self.lead("Ann Able"), self.lead("Bob Best")
        self.assertEqual(self.refer(ann, program=flag_capped, referrer=self.gp).fraud_flags, frozenset())
        self.assertEqual(self.refer(bob, program=flag_capped, referrer=self.gp).fraud_flags, {"VELOCITY"})

    def test_several_flags_at_once(self):
        flagger = self.store.programs.create(name="Flag everything", fraud_action="flag")
        flagged = self.refer(self.jane, program=flagger, code="jane-doe")
        self.assertEqual(flagged.fraud_flags, {"SELF_REFERRAL", "EXISTING_CLIENT"})
        self.assertEqual(FraudFlag.to_bits(flagged.fraud_flags),
                         core.RF_FRAUD_SELF_REFERRAL | core.RF_FRAUD_EXISTING_CLIENT)

    # --- one attribution per referee ------------------------------------------------------

    def test_second_attribution_conflicts_and_the_first_stands(self):
        first = self.refer(self.sam, code="jane-doe")
        for evidence in (dict(referrer=self.john), dict(code="john-roe"), dict(program=self.flagger,
                                                                                 referrer=self.gp,
                                                                                 source="partner")):
            with self.subTest(**{k: str(v)[:20] for k, v in evidence.items()}):
                exc, events = self.assertRaisesUnchangedButJournal(referral.Conflict, self.refer, self.sam,
                                                                   **evidence)
                self.assertReferralError(exc, -6, self.sam.id, "already attributed", self.jane.id, first.id)
                # Only the attempt is journalled.
                self.assertEqual([(e.type, e.subject_id, e.data) for e in events],
                                 [(core.RF_EVENT_ATTRIBUTION_REFUSED, self.sam.id, f"held_by={first.id}")])
        self.assertEqual(self.store.referrals.get(first.id), first)
        self.assertEqual([r.id for r in self.store.referrals.list(referee=self.sam)], [first.id])
        self.assertEqual(self.store.codes.lookup("john-roe").uses, 0)

    def test_refused_attempt_names_the_refused_referrer(self):
        self.refer(self.sam, code="jane-doe")
        _, events = self.assertRaisesUnchangedButJournal(referral.Conflict, self.refer, self.sam,
                                                         referrer=self.john)
        self.assertEqual(events[0].object_id, self.john.id)

    def test_flagged_referrals_hold_the_attribution_too(self):
        flagged = self.refer(self.jane, program=self.flagger, code="jane-doe")
        self.assertTrue(flagged.fraud_flags)
        exc, _ = self.assertRaisesUnchangedButJournal(referral.Conflict, self.refer, self.jane,
                                                      program=self.flagger, referrer=self.john)
        self.assertEqual(exc.code, -6)

    def test_outbound_referrals_are_not_guarded(self):
        out = self.refer(self.jane, direction="outbound", target=self.gp, referrer=self.jane)
        self.assertEqual(out.fraud_flags, frozenset())


class MemoryFraudTest(MemoryBackend, FraudCases, unittest.TestCase):
    pass


class SqliteFraudTest(SqliteBackend, FraudCases, unittest.TestCase):
    pass


if __name__ == "__main__":
    unittest.main()
