"""store.touches and store.referrals: making referrals from codes, touches and
named referrers, outbound referrals, documents, listing and idempotency."""

import datetime as dt
import threading
import unittest

import referral
from referral import core
from support import DAY, T0, MemoryBackend, ReferralFixture, SqliteBackend

UTC = dt.timezone.utc
UNKNOWN_ID = "0190a1b2-0000-7000-8000-000000000000"


class TouchCases(ReferralFixture):
    def test_add(self):
        seq = self.store.journal_last_seq()
        touch = self.store.touches.add("JANE DOE", "visitor-1")
        self.assertRegex(touch.id, r"^[0-9a-f-]{36}$")
        self.assertEqual(touch.code_id, self.code.id)
        self.assertEqual(touch.owner_id, self.jane.id)
        self.assertIsNone(touch.program_id)
        self.assertEqual(touch.visitor_key, "visitor-1")
        self.assertIsNone(touch.channel)
        self.assertEqual(touch.at, T0)
        self.assertEqual(touch.at_dt, dt.datetime(2026, 3, 1, tzinfo=UTC))
        events = list(self.store.journal(after=seq))
        self.assertEqual([(e.type, e.subject_id, e.object_id) for e in events],
                         [(core.RF_EVENT_TOUCH_RECORDED, touch.id, self.jane.id)])
        self.assertEqual(events[0].data, "channel=UNSET")
        self.assertNotIn("visitor-1", events[0].data or "")  # the visitor key stays out of the journal

        self.store.advance(60)
        linked = self.store.touches.add(self.code, "visitor-1", channel="link")
        self.assertEqual(linked.channel, referral.Channel.LINK)
        self.assertEqual(linked.at, T0 + 60)
        self.assertEqual(list(self.store.journal())[-1].data, "channel=LINK")

    def test_touch_takes_the_programme_and_channel_of_its_code(self):
        gp_prog = self.store.programs.create(name="GP partners")
        card = self.store.codes.issue(self.gp, style="short", program_id=gp_prog.id, channel="card")
        touch = self.store.touches.add(card.text.lower(), "visitor-2")
        self.assertEqual(touch.program_id, gp_prog.id)
        self.assertEqual(touch.owner_id, self.gp.id)
        self.assertEqual(touch.channel, "CARD")

    def test_idempotent_add(self):
        first = self.store.touches.add("jane-doe", "visitor-1", idempotency_key="t-1")
        seq = self.store.journal_last_seq()
        self.store.advance(60)
        again = self.store.touches.add("Jane Doe", "visitor-1", idempotency_key="t-1")  # another spelling
        self.assertEqual(again, first)
        self.assertEqual(self.store.journal_last_seq(), seq)
        exc = self.assertRaisesUnchanged(referral.Conflict, self.store.touches.add, "jane-doe", "visitor-2",
                                         idempotency_key="t-1")
        self.assertReferralError(exc, -6, "t-1")

    def test_refusals(self):
        exc = self.assertRaisesUnchanged(referral.NotFound, self.store.touches.add, "no-such-code", "v")
        self.assertReferralError(exc, -3, "no-such-code")
        self.store.codes.revoke(self.john_code, reason="lost")
        exc = self.assertRaisesUnchanged(referral.IllegalTransition, self.store.touches.add, "john-roe", "v")
        self.assertReferralError(exc, -7, "revoked")
        for key in ("", "k" * 65):
            with self.subTest(key=key[:5]):
                exc = self.assertRaisesUnchanged(referral.InvalidArgument, self.store.touches.add, "jane-doe", key)
                self.assertReferralError(exc, -5, "visitor_key")
        exc = self.assertRaisesUnchanged(referral.InvalidArgument, self.store.touches.add, "jane-doe", "v",
                                         channel="pigeon")
        self.assertEqual(exc.code, -5)
        exc = self.assertRaisesUnchanged(referral.InvalidArgument, core.rf_touch_add, self.store._h, "jane-doe",
                                         "v", {"channel": 99})
        self.assertReferralError(exc, -5, "channel 99")
        self.assertRaisesUnchanged(TypeError, self.store.touches.add, "jane-doe", None)
        self.assertRaisesUnchanged(TypeError, self.store.touches.add, "jane-doe", "v", chanel="sms")


class CreateCases(ReferralFixture):
    # --- from a code ---------------------------------------------------------------

    def test_from_a_code_with_every_field(self):
        seq = self.store.journal_last_seq()
        ref = self.refer(self.sam, code="JANE DOE", reason="knee pain after running", care_level="consult",
                         urgency="urgent", preferred_timing="weekday mornings", practitioner=self.dr,
                         variant="B", documents_required=["letter", "imaging"], documents_received="letter",
                         channel="sms", idempotency_key="ref-1")
        self.assertIsInstance(ref, referral.Referral)
        self.assertEqual(ref.program_id, self.program.id)
        self.assertEqual(ref.referrer_id, self.jane.id)
        self.assertEqual(ref.referee_id, self.sam.id)
        self.assertIsNone(ref.target_id)
        self.assertIs(ref.direction, referral.Direction.INBOUND)
        self.assertIs(ref.source, referral.Source.CODE)
        self.assertEqual(ref.channel, "SMS")
        self.assertEqual(ref.code_id, self.code.id)
        self.assertIsNone(ref.touch_id)
        self.assertEqual(ref.evidence, f"code={self.code.id}")
        self.assertEqual(ref.evidence_fields, {"code": self.code.id})
        self.assertIs(ref.state, referral.ReferralState.RECEIVED)
        self.assertEqual(ref.state, "RECEIVED")
        self.assertIsNone(ref.held_state)
        self.assertEqual(ref.reason, "knee pain after running")
        self.assertEqual(ref.care_level, "CONSULT")
        self.assertEqual(ref.urgency, "URGENT")
        self.assertEqual(ref.preferred_timing, "weekday mornings")
        self.assertEqual(ref.practitioner_id, self.dr.id)
        self.assertEqual(ref.variant, "B")
        self.assertEqual(ref.documents_required, ["letter", "imaging"])
        self.assertEqual(ref.documents_received, ["letter"])
        self.assertIs(ref.documents_complete_at_receipt, False)
        self.assertEqual(ref.fraud_flags, frozenset())
        self.assertEqual(ref.reached_at, {referral.ReferralState.RECEIVED: T0})
        self.assertEqual(ref.reached_at["RECEIVED"], T0)  # the keys compare equal to their names
        self.assertEqual(ref.received_at, T0)
        self.assertEqual(ref.received_at_dt, dt.datetime(2026, 3, 1, tzinfo=UTC))
        self.assertIsNone(ref.appointment_at)
        self.assertIsNone(ref.first_appointment_at)
        self.assertEqual((ref.reschedules, ref.no_shows, ref.visits), (0, 0, 0))
        self.assertEqual(ref.updated_at, T0)
        self.assertEqual(ref.fhir, ("received", "received"))

        self.assertEqual(self.store.codes.lookup("jane-doe").uses, 1)  # presenting the code used it once
        events = list(self.store.journal(after=seq))
        self.assertEqual([(e.type, e.subject_id, e.object_id) for e in events],
                         [(core.RF_EVENT_REFERRAL_RECEIVED, ref.id, self.jane.id),
                          (core.RF_EVENT_CODE_USED, self.code.id, self.jane.id)])
        self.assertEqual(events[0].data, "direction=INBOUND;source=CODE;flags=0")
        self.assertEqual(events[0].idempotency_key, "ref-1")

        got = self.store.referrals.get(ref.id)
        self.assertEqual(got, ref)
        self.assertEqual(self.store.referrals.get(ref), ref)
        d = got.to_dict()
        self.assertEqual(d["state"], "RECEIVED")
        self.assertEqual(d["reached_at"], {"RECEIVED": T0})
        self.assertEqual(d["fraud_flags"], [])
        self.assertEqual(d["documents_required"], ["letter", "imaging"])
        self.assertEqual(type(d["state"]), str)
        self.assertNotIn("Sam", repr(got))

    def test_minimal_defaults(self):
        ref = self.refer(self.sam.id, program=self.program.id, code=self.code)
        self.assertEqual(ref.urgency, "ROUTINE")  # the default
        self.assertIsNone(ref.care_level)
        self.assertIsNone(ref.channel)  # neither given nor on the code
        for field in ("reason", "preferred_timing", "practitioner_id", "variant"):
            self.assertIsNone(getattr(ref, field), field)
        self.assertEqual(ref.documents_required, [])
        self.assertEqual(ref.documents_received, [])
        self.assertIs(ref.documents_complete_at_receipt, True)

    def test_code_of_another_programme(self):
        gp_prog = self.store.programs.create(name="GP partners")
        card = self.store.codes.issue(self.gp, style="short", program_id=gp_prog.id)
        exc = self.assertRaisesUnchanged(referral.InvalidArgument, self.refer, self.sam, code=card.text)
        self.assertReferralError(exc, -5, "Client advocates")
        self.assertEqual(self.refer(self.sam, program=gp_prog, code=card).referrer_id, self.gp.id)

    def test_unusable_or_unknown_code(self):
        self.store.codes.revoke(self.john_code, reason="lost")
        exc = self.assertRaisesUnchanged(referral.IllegalTransition, self.refer, self.sam, code="john-roe")
        self.assertReferralError(exc, -7, "revoked")
        exc = self.assertRaisesUnchanged(referral.NotFound, self.refer, self.sam, code="nobody")
        self.assertReferralError(exc, -3, "nobody")

    # --- from touches -----------------------------------------------------------------

    def touch_both(self, visitor):
        """The visitor comes through Jane's link, then a day later through John's."""
        first = self.store.touches.add("jane-doe", visitor, channel="link")
        self.store.advance(DAY)
        last = self.store.touches.add("john-roe", visitor, channel="email")
        self.store.advance(DAY)
        return first, last

    def test_last_touch(self):
        first, last = self.touch_both("visitor-1")
        ref = self.refer(self.sam, visitor_key="visitor-1")
        self.assertEqual(ref.source, "TOUCH")
        self.assertEqual(ref.referrer_id, self.john.id)
        self.assertEqual(ref.touch_id, last.id)
        self.assertEqual(ref.code_id, self.john_code.id)
        self.assertEqual(ref.channel, "EMAIL")  # the touch's
        self.assertEqual(ref.evidence_fields,
                         {"touch": last.id, "model": "LAST_TOUCH", "touches": "2", "window_days": "90"})
        self.assertEqual(self.store.codes.lookup("john-roe").uses, 0)  # a touch is not a use

    def test_first_touch(self):
        first_touch = self.store.programs.create(name="First touch", attribution="first_touch")
        first, last = self.touch_both("visitor-1")
        ref = self.refer(self.sam, program=first_touch, visitor_key="visitor-1")
        self.assertEqual(ref.referrer_id, self.jane.id)
        self.assertEqual(ref.touch_id, first.id)
        self.assertEqual(ref.channel, "LINK")
        self.assertEqual(ref.evidence_fields["model"], "FIRST_TOUCH")

    def test_touches_outside_the_window(self):
        week = self.store.programs.create(name="One week", window_days=7)
        self.store.touches.add("jane-doe", "visitor-1")
        self.store.set_time(T0 + 7 * DAY + 1)
        exc = self.assertRaisesUnchanged(referral.NotFound, self.refer, self.sam, program=week,
                                         visitor_key="visitor-1")
        self.assertReferralError(exc, -3, "visitor-1", "One week", "7 days")
        # The 90-day programme still sees it; a visitor never seen is not found either.
        exc = self.assertRaisesUnchanged(referral.NotFound, self.refer, self.sam, visitor_key="visitor-9")
        self.assertEqual(exc.code, -3)
        self.assertEqual(self.refer(self.sam, visitor_key="visitor-1").referrer_id, self.jane.id)

    def test_window_includes_its_first_second(self):
        week = self.store.programs.create(name="One week", window_days=7)
        self.store.touches.add("jane-doe", "visitor-1")
        self.store.set_time(T0 + 7 * DAY)
        self.assertEqual(self.refer(self.sam, program=week, visitor_key="visitor-1").referrer_id, self.jane.id)

    def test_touches_through_another_programmes_code_do_not_count(self):
        gp_prog = self.store.programs.create(name="GP partners")
        card = self.store.codes.issue(self.gp, style="short", program_id=gp_prog.id)
        self.store.touches.add(card, "visitor-1")
        exc = self.assertRaisesUnchanged(referral.NotFound, self.refer, self.sam, visitor_key="visitor-1")
        self.assertEqual(exc.code, -3)
        self.assertEqual(self.refer(self.sam, program=gp_prog, visitor_key="visitor-1").referrer_id, self.gp.id)

    def test_the_most_specific_evidence_wins(self):
        self.store.touches.add("john-roe", "visitor-1")
        ref = self.refer(self.sam, code="jane-doe", visitor_key="visitor-1", referrer=self.gp, source="partner")
        self.assertEqual(ref.source, "CODE")
        self.assertEqual(ref.referrer_id, self.jane.id)
        self.assertEqual(ref.evidence_fields["overrode"], self.gp.id)
        ann = self.lead("Ann Able")
        ref = self.refer(ann, visitor_key="visitor-1", referrer=self.gp, source="partner")
        self.assertEqual((ref.source, ref.referrer_id), ("TOUCH", self.john.id))

    # --- from a named referrer -------------------------------------------------------------

    def test_named_referrers(self):
        ann, bob, cat = self.lead("Ann Able"), self.lead("Bob Best"), self.lead("Cat Cole")
        intake = self.refer(ann, referrer=self.jane, source="intake")
        manual = self.refer(bob, referrer=self.john.id)
        partner = self.refer(cat, referrer=self.gp, source=referral.Source.PARTNER, channel="letter",
                             documents_required="letter")
        self.assertEqual((intake.source, intake.referrer_id, intake.evidence), ("INTAKE", self.jane.id,
                                                                                "named=INTAKE"))
        self.assertEqual((manual.source, manual.referrer_id, manual.evidence), ("MANUAL", self.john.id,
                                                                                "named=MANUAL"))
        self.assertEqual((partner.source, partner.referrer_id, partner.channel), ("PARTNER", self.gp.id, "LETTER"))
        for ref in (intake, manual, partner):
            self.assertIsNone(ref.code_id)
            self.assertIsNone(ref.touch_id)
        self.assertIs(partner.documents_complete_at_receipt, False)

    def test_outbound_to_a_partner(self):
        ref = self.refer(self.jane, direction="outbound", target=self.gp, reason="physiotherapy",
                         care_level="co-management", urgency=referral.Urgency.ROUTINE, practitioner=self.dr.id)
        self.assertEqual(ref.direction, "OUTBOUND")
        self.assertEqual(ref.target_id, self.gp.id)
        self.assertIsNone(ref.referrer_id)
        self.assertEqual(ref.source, "MANUAL")
        self.assertEqual(ref.care_level, referral.CareLevel.CO_MANAGEMENT)
        self.assertEqual(ref.fraud_flags, frozenset())  # guards are for inbound referrals
        self.assertEqual(list(self.store.journal())[-1].data, "direction=OUTBOUND;source=MANUAL;flags=0")
        # Outbound referrals hold no attribution: the client may be sent out again, by a named staff member.
        again = self.refer(self.jane, direction="outbound", target=self.gp, referrer=self.dr)
        self.assertEqual(again.referrer_id, self.dr.id)

    def test_outbound_refusals(self):
        cases = [
            (dict(direction="outbound", target=self.gp, referee=self.sam), "referee"),  # a LEAD
            (dict(direction="outbound", referee=self.jane), "target_id"),
            (dict(direction="outbound", target=self.gp, referee=self.jane, code="john-roe"), "code"),
            (dict(direction="outbound", target=self.john, referee=self.jane), "PARTNER"),
            (dict(target=self.gp, referee=self.sam, code="jane-doe"), "target_id"),
        ]
        for fields, fragment in cases:
            referee = fields.pop("referee")
            with self.subTest(**{k: str(v)[:30] for k, v in fields.items()}):
                exc = self.assertRaisesUnchanged(referral.InvalidArgument, self.refer, referee, **fields)
                self.assertReferralError(exc, -5, fragment)

    def test_create_refusals(self):
        cases = [
            (referral.InvalidArgument, dict(), "evidence"),
            (referral.InvalidArgument, dict(referrer=self.jane, source="code"), "source CODE"),
            (referral.InvalidArgument, dict(referrer=self.jane, source="touch"), "source TOUCH"),
            (referral.InvalidArgument, dict(code="jane-doe", practitioner=self.john), "STAFF"),
            (referral.InvalidArgument, dict(code="jane-doe", documents_required="Letter"), "documents_required"),
            (referral.InvalidArgument, dict(code="jane-doe", documents_required="letter,,x"), "empty label"),
            (referral.InvalidArgument, dict(code="jane-doe", documents_received=["x"]), "documents_required"),
            (referral.InvalidArgument, dict(code="jane-doe", reason="r" * 501), "reason"),
            (referral.InvalidArgument, dict(code="jane-doe", urgency="soon"), "urgency"),
            (referral.InvalidArgument, dict(code="jane-doe", direction="sideways"), "direction"),
            (referral.NotFound, dict(referrer=UNKNOWN_ID), UNKNOWN_ID),
            (referral.NotFound, dict(code="jane-doe", program=UNKNOWN_ID), UNKNOWN_ID),
            (TypeError, dict(code=42), None),
            (TypeError, dict(code="jane-doe", documents_required=[1, 2]), None),
        ]
        for exc_class, fields, fragment in cases:
            with self.subTest(**{k: str(v)[:30] for k, v in fields.items()}):
                exc = self.assertRaisesUnchanged(exc_class, self.refer, self.sam, **fields)
                if fragment is not None:
                    self.assertIn(fragment, exc.message)
        exc = self.assertRaisesUnchanged(referral.NotFound, self.refer, UNKNOWN_ID, code="jane-doe")
        self.assertEqual(exc.code, -3)
        exc = self.assertRaisesUnchanged(referral.InvalidArgument, self.refer, self.gp, code="jane-doe")
        self.assertReferralError(exc, -5, "referee", "PARTNER")

    def test_idempotent_create(self):
        first = self.refer(self.sam, code="jane-doe", idempotency_key="ref-1")
        seq = self.store.journal_last_seq()
        self.store.advance(60)
        again = self.refer(self.sam, code="jane-doe", idempotency_key="ref-1")
        self.assertEqual(again, first)
        self.assertEqual(self.store.journal_last_seq(), seq)
        self.assertEqual(self.store.codes.lookup("jane-doe").uses, 1)  # counted once
        exc = self.assertRaisesUnchanged(referral.Conflict, self.refer, self.sam, code="jane-doe", reason="other",
                                         idempotency_key="ref-1")
        self.assertReferralError(exc, -6, "ref-1")

    def test_transaction_rollback_undoes_a_referral(self):
        before = self.snapshot()
        with self.assertRaises(RuntimeError):
            with self.store.transaction():
                self.refer(self.sam, code="jane-doe")
                raise RuntimeError("host failed after the referral")
        self.assertEqual(self.snapshot(), before)

    # --- documents ---------------------------------------------------------------------

    def test_receive_documents(self):
        ref = self.refer(self.sam, code="jane-doe", documents_required=["letter", "imaging"])
        self.store.advance(DAY)
        seq = self.store.journal_last_seq()
        same = ref.receive_document("imaging")
        self.assertIs(same, ref)
        self.assertEqual(ref.documents_received, ["imaging"])
        self.assertEqual(ref.updated_at, T0 + DAY)
        events = list(self.store.journal(after=seq))
        self.assertEqual([(e.type, e.subject_id, e.data) for e in events],
                         [(core.RF_EVENT_DOCUMENT_RECEIVED, ref.id, "document=imaging")])
        seq = self.store.journal_last_seq()
        self.store.referrals.receive_document(ref.id, "imaging")  # again: not an error, no change
        self.assertEqual(self.store.journal_last_seq(), seq)
        self.assertEqual(ref.receive_document("letter").documents_received, ["imaging", "letter"])
        self.assertIs(ref.documents_complete_at_receipt, False)  # it was not complete when received
        for name, fragment in (("xray", "does not require"), ("letter,imaging", "one document"),
                               ("Letter", "document")):
            with self.subTest(name=name):
                exc = self.assertRaisesUnchanged(referral.InvalidArgument, ref.receive_document, name)
                self.assertReferralError(exc, -5, fragment)
        exc = self.assertRaisesUnchanged(referral.NotFound, self.store.referrals.receive_document, UNKNOWN_ID,
                                         "letter")
        self.assertReferralError(exc, -3, UNKNOWN_ID)

    # --- reading --------------------------------------------------------------------------

    def test_get_unknown(self):
        exc = self.assertRaisesUnchanged(referral.NotFound, self.store.referrals.get, UNKNOWN_ID)
        self.assertReferralError(exc, -3, UNKNOWN_ID)
        self.assertEqual(exc.error_class, core.RF_ERRCLASS_REFERRAL)

    def test_list_and_filters(self):
        gp_prog = self.store.programs.create(name="GP partners")
        ann, bob = self.lead("Ann Able"), self.lead("Bob Best")
        r1 = self.refer(self.sam, code="jane-doe")
        self.store.advance(DAY)
        r2 = self.refer(ann, program=gp_prog, referrer=self.gp, source="partner")
        self.store.advance(DAY)
        r3 = self.refer(self.jane, direction="outbound", target=self.gp)
        self.store.advance(DAY)
        r4 = self.refer(bob, referrer=self.jane, source="intake")
        ids = lambda it: [r.id for r in it]  # noqa: E731
        self.assertEqual(ids(self.store.referrals.list()), [r1.id, r2.id, r3.id, r4.id])
        self.assertEqual(ids(self.store.referrals), [r1.id, r2.id, r3.id, r4.id])
        self.assertEqual(ids(self.store.referrals.list(program=gp_prog)), [r2.id])
        self.assertEqual(ids(self.store.referrals.list(program=self.program.id)), [r1.id, r3.id, r4.id])
        self.assertEqual(ids(self.store.referrals.list(referrer=self.jane)), [r1.id, r4.id])
        self.assertEqual(ids(self.store.referrals.list(referee=self.jane.id)), [r3.id])
        self.assertEqual(ids(self.store.referrals.list(direction="outbound")), [r3.id])
        self.assertEqual(ids(self.store.referrals.list(direction=referral.Direction.INBOUND)),
                         [r1.id, r2.id, r4.id])
        self.assertEqual(ids(self.store.referrals.list(received_from=T0 + DAY, received_to=T0 + 3 * DAY)),
                         [r2.id, r3.id])
        self.assertEqual(ids(self.store.referrals.list(received_from=dt.datetime(2026, 3, 3, tzinfo=UTC))),
                         [r3.id, r4.id])
        self.assertEqual(ids(self.store.referrals.list(received_to=T0 + DAY)), [r1.id])
        self.assertEqual(ids(self.store.referrals.list(referrer=self.gp, direction="outbound")), [])
        self.assertEqual(list(self.store.referrals.list())[0], r1)
        self.assertRaisesUnchanged(referral.InvalidArgument, self.store.referrals.list, direction="up")
        exc = self.assertRaisesUnchanged(referral.InvalidArgument, core.rf_referral_list, self.store._h,
                                         {"direction": 7})
        self.assertReferralError(exc, -5, "direction 7")
        self.assertRaisesUnchanged(TypeError, self.store.referrals.list, received_from="yesterday")

    def test_many_referrals_page_through(self):
        leads = [self.lead(f"Lead {i:03d}") for i in range(150)]
        made = [self.refer(p, referrer=self.gp, source="partner").id for p in leads]
        self.assertEqual([r.id for r in self.store.referrals.list(referrer=self.gp)], made)

    def test_threads_share_a_store_safely(self):
        leads = [[self.lead(f"T{n} lead {i}") for i in range(10)] for n in range(4)]
        errors = []

        def work(n):
            try:
                for person in leads[n]:
                    ref = self.refer(person, referrer=self.gp, source="partner")
                    ref.advance("accepted")
                    list(self.store.referrals.referrer_view(self.gp))
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        states = [r.state for r in self.store.referrals.list(referrer=self.gp)]
        self.assertEqual(states, ["ACCEPTED"] * 40)

    def test_records_outlive_the_store(self):
        ref = self.refer(self.sam, code="jane-doe")
        self.store.close()
        self.assertEqual(ref.state, "RECEIVED")
        self.assertEqual(ref.fhir, ("received", "received"))
        self.assertRaises(referral.InvalidArgument, ref.advance, "accepted")
        self.assertRaises(referral.InvalidArgument, ref.refresh)

    def test_closing_the_store_stops_its_iterators(self):
        self.refer(self.sam, code="jane-doe")
        it = self.store.referrals.list()
        view = self.store.referrals.referrer_view(self.jane)
        progs = self.store.programs.list()
        self.store.close()
        for i in (it, view, progs):
            self.assertEqual(list(i), [])

    def test_low_level_calls(self):
        h = self.store._h
        ref = core.rf_referral_create(h, {"program_id": self.program.id, "referee_id": self.sam.id,
                                          "code": "jane-doe"})
        self.assertEqual(core.rf_referral_get_state(ref), core.RF_REFERRAL_RECEIVED)
        self.assertEqual(core.rf_referral_reached_at(ref, core.RF_REFERRAL_RECEIVED), T0)
        self.assertEqual(core.rf_referral_reached_at(ref, core.RF_REFERRAL_CLOSED), 0)
        self.assertEqual(core.rf_referral_source_name(core.rf_referral_get_source(ref)), "CODE")
        self.assertEqual(core.rf_direction_name(core.rf_referral_direction(ref)), "INBOUND")
        moved = core.rf_referral_advance(h, core.rf_referral_id(ref), core.RF_REFERRAL_ACCEPTED, None)
        self.assertEqual(core.rf_referral_state_name(core.rf_referral_get_state(moved)), "ACCEPTED")
        with self.assertRaises(referral.InvalidArgument) as cm:
            core.rf_referral_advance(h, core.rf_referral_id(ref), 99, None)
        self.assertIn("99 is not a referral state", cm.exception.message)
        with self.assertRaisesRegex(TypeError, "reasn"):
            core.rf_referral_advance(h, core.rf_referral_id(ref), core.RF_REFERRAL_DECLINED, {"reasn": "x"})
        it = core.rf_referral_list(h, None)
        self.assertEqual([core.rf_referral_id(r) for r in it], [core.rf_referral_id(ref)])
        core.rf_referral_free(ref)
        self.assertIsNone(core.rf_referral_id(ref))


class MemoryTouchTest(MemoryBackend, TouchCases, unittest.TestCase):
    pass


class SqliteTouchTest(SqliteBackend, TouchCases, unittest.TestCase):
    pass


class MemoryCreateTest(MemoryBackend, CreateCases, unittest.TestCase):
    pass


class SqliteCreateTest(SqliteBackend, CreateCases, unittest.TestCase):
    def test_reopen_sees_referrals_and_touches(self):
        self.store.touches.add("jane-doe", "visitor-1")
        self.store.advance(DAY)
        ref = self.refer(self.sam, visitor_key="visitor-1", documents_required="letter")
        self.walk(ref, "ACCEPTED", "SCHEDULED")
        self.store.close()
        with self.open_store(now=T0 + 10 * DAY) as store:
            again = store.referrals.get(ref.id)
            self.assertEqual(again, ref)
            self.assertEqual(again.to_dict(), ref.to_dict())
            self.assertEqual(again.advance("seen").visits, 1)


if __name__ == "__main__":
    unittest.main()
