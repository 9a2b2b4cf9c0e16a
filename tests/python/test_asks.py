"""The ask policy through Python: a client's good moments become ASK tasks, or
SUPPRESSED ones with the reason; triggers, suppression, segment and channel,
asks by date, an ask's outcome, and the party's preferred channel."""

import datetime as dt
import unittest

import referral
from referral import AskOutcome, Channel, TaskKind, TaskState, core
from support import DAY, T0, MemoryBackend, OutboxFixture, SqliteBackend

UTC = dt.timezone.utc
UNKNOWN_ID = "0190a1b2-0000-7000-8000-000000000000"


class AskCases(OutboxFixture):
    def setUp(self):
        super().setUp()
        self.ann = self.client("Ann Lee")

    def event(self, type, party=None, **kwargs):
        return self.store.events.add(party or self.ann, type, **kwargs)

    def asks(self, party=None, **flt):
        return self.tasks(party=party or self.ann, kind="ask", **flt)

    def triggers(self, party=None):
        """(trigger, state, reason) of each ask decision for ``party``, oldest first."""
        return [(t.details["trigger"], t.state.name, t.details.get("reason")) for t in self.asks(party)]

    def frequent(self, **settings):
        """Let the programme ask as often as it may: no cooldown, the highest cap."""
        self.store.programs.update(self.program, ask_cooldown_days=0, ask_yearly_cap=52, **settings)

    # --- the story: asked once, then not within the cooldown ---------------------------

    def test_nps_ten_asks_once_and_not_again_within_the_cooldown(self):
        seq = self.store.journal_last_seq()
        nps = self.event("nps", value=10)
        [ask] = self.asks()
        self.assertIsInstance(ask, referral.Task)
        self.assertIs(ask.kind, TaskKind.ASK)
        self.assertIs(ask.state, TaskState.PENDING)
        self.assertEqual((ask.party_id, ask.program_id, ask.referral_id), (self.ann.id, self.program.id, None))
        self.assertEqual(ask.key, f"ask:{self.program.id}:nps:{nps.id}")
        self.assertEqual((ask.template, ask.channel), ("ask.email.new", Channel.EMAIL))
        self.assertEqual(ask.data, "trigger=nps;segment=new")
        self.assertEqual(ask.details, {"trigger": "nps", "segment": "new"})
        self.assertEqual((ask.due_at, ask.created_at, ask.attempts), (T0, T0, 0))
        for unset in ("deadline_at", "lease_until", "lease_token", "sent_at", "closed_at", "outcome",
                      "last_error"):
            self.assertIsNone(getattr(ask, unset), unset)
        self.assertIs(ask.is_closed, False)
        journalled = self.journal_since(seq)
        self.assertEqual([(e.type, e.subject_id, e.object_id) for e in journalled],
                         [(core.RF_EVENT_CLIENT_EVENT, nps.id, self.ann.id),
                          (core.RF_EVENT_TASK_CREATED, ask.id, self.ann.id)])
        self.assertEqual(journalled[1].data, "kind=ASK;trigger=nps;segment=new")
        self.assertEqual(self.store.outbox.get(ask.id), ask)

        # A month later another 10: within the 90-day cooldown, held back and recorded why.
        self.store.advance(30 * DAY)
        seq = self.store.journal_last_seq()
        self.event("nps", value=10)
        first, held = self.asks()
        self.assertEqual(first, ask)
        self.assertIs(held.state, TaskState.SUPPRESSED)
        self.assertEqual(held.details, {"trigger": "nps", "segment": "new", "reason": "cooldown"})
        self.assertEqual(held.closed_at, T0 + 30 * DAY)
        self.assertIs(held.is_closed, True)
        suppressed = self.journal_since(seq, core.RF_EVENT_ASK_SUPPRESSED)
        self.assertEqual([(e.subject_id, e.object_id, e.data) for e in suppressed],
                         [(held.id, self.ann.id, "kind=ASK;trigger=nps;segment=new;reason=cooldown")])

        # Below the threshold nothing is decided at all.
        self.event("nps", value=8)
        self.assertEqual(len(self.asks()), 2)

        # After the cooldown a 9 asks again.
        self.store.advance(61 * DAY)
        self.event("nps", value=9)
        self.assertEqual(self.triggers(), [("nps", "PENDING", None), ("nps", "SUPPRESSED", "cooldown"),
                                           ("nps", "PENDING", None)])

    def test_a_replayed_event_decides_once(self):
        first = self.event("nps", value=10, idempotency_key="survey-42")
        before = self.snapshot()
        self.assertEqual(self.event("nps", value=10, idempotency_key="survey-42"), first)
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(len(self.asks()), 1)

    def test_threshold_is_the_programme_s(self):
        self.frequent(ask_nps_threshold=7)
        self.event("nps", value=6)
        self.assertEqual(self.asks(), [])
        self.event("nps", value=7)
        self.assertEqual(self.triggers(), [("nps", "PENDING", None)])

    # --- suppression -------------------------------------------------------------------

    def test_an_open_complaint_suppresses(self):
        self.event("complaint_opened", label="C-1")
        self.event("nps", value=10)
        self.assertEqual(self.triggers(), [("nps", "SUPPRESSED", "open_complaint")])
        self.event("complaint_resolved", label="C-1")
        self.event("nps", value=10)
        self.assertEqual(self.triggers()[1:], [("nps", "PENDING", None)])  # a suppressed ask starts no cooldown

    def test_a_sensitive_phase_suppresses(self):
        self.frequent()
        self.event("sensitive_phase", value=True)
        self.event("praise")
        self.event("sensitive_phase", value=False)
        self.event("praise")
        self.assertEqual(self.triggers(), [("praise", "SUPPRESSED", "sensitive_phase"), ("praise", "PENDING", None)])

    def test_consent_and_kind(self):
        silent = self.client("Sid Vale", consent=())
        self.event("nps", party=silent, value=10)
        self.assertEqual(self.triggers(silent), [("nps", "SUPPRESSED", "no_consent")])
        lead = self.lead("Lee Mo", consent={"contact"})
        self.event("nps", party=lead, value=10)
        self.assertEqual(self.triggers(lead), [("nps", "SUPPRESSED", "not_client")])
        # The first reason that applies is the one recorded.
        self.event("complaint_opened", party=silent, label="C-9")
        self.event("nps", party=silent, value=10)
        self.assertEqual(self.triggers(silent)[1], ("nps", "SUPPRESSED", "no_consent"))

    def test_yearly_cap(self):
        self.store.programs.update(self.program, ask_cooldown_days=0, ask_yearly_cap=2)
        for _ in range(3):
            self.store.advance(DAY)
            self.event("praise")
        self.assertEqual([t[1:] for t in self.triggers()],
                         [("PENDING", None), ("PENDING", None), ("SUPPRESSED", "yearly_cap")])
        self.store.advance(364 * DAY)  # the first ask is now more than a year old
        self.event("praise")
        self.assertEqual(self.triggers()[3], ("praise", "PENDING", None))

    # --- triggers ------------------------------------------------------------------------

    def test_every_trigger(self):
        self.frequent()
        self.event("milestone", label="Ran 5k")
        self.event("discharge", value="good")
        self.event("discharge", value="neutral")
        self.event("discharge", value="poor")
        self.event("praise", label="front desk")
        self.event("payment_cleared", amount=6500, currency="EUR")
        for quiet in (dict(type="visit_completed"), dict(type="revenue", amount=100, currency="EUR"),
                      dict(type="nps", value=0), dict(type="complaint_opened", label="C-1"),
                      dict(type="complaint_resolved", label="C-1")):
            self.event(**quiet)
        self.assertEqual(self.triggers(), [("milestone", "PENDING", None), ("discharge", "PENDING", None),
                                           ("praise", "PENDING", None), ("payment", "PENDING", None)])

    def test_triggers_can_be_turned_off(self):
        self.frequent(ask_on_milestone=False, ask_on_discharge=False, ask_on_praise=False, ask_on_payment=False)
        self.event("milestone", label="Ran 5k")
        self.event("discharge", value=referral.DischargeOutcome.GOOD)
        self.event("praise")
        self.event("payment_cleared")
        self.assertEqual(self.asks(), [])
        self.store.programs.update(self.program, ask_enabled=False)
        self.event("nps", value=10)
        self.assertEqual(self.tasks(), [])

    def test_every_asking_programme_decides(self):
        gp = self.store.programs.create(name="GP partners")
        self.store.programs.create(name="Quiet", ask_enabled=False)
        self.event("nps", value=10)
        self.assertEqual(sorted(t.program_id for t in self.asks()), sorted([self.program.id, gp.id]))

    # --- segment and channel ----------------------------------------------------------------

    def test_segment_and_channel_pick_the_script(self):
        phone = "+442079460958"
        cases = [
            (dict(email="a@example.org"), "ask.email.new", "EMAIL"),
            (dict(phone=phone), "ask.sms.new", "SMS"),
            ({}, "ask.in_person.new", "IN_PERSON"),
            (dict(email="a@example.org", preferred_channel="sms"), "ask.sms.new", "SMS"),
            (dict(phone=phone, preferred_channel=Channel.EMAIL), "ask.email.new", "EMAIL"),
            (dict(email="a@example.org", preferred_channel="in-person"), "ask.in_person.new", "IN_PERSON"),
            (dict(email="a@example.org", preferred_channel="letter"), "ask.email.new", "EMAIL"),
            (dict(email="a@example.org", first_visit_at=T0 - 179 * DAY), "ask.email.new", "EMAIL"),
            (dict(email="a@example.org", first_visit_at=T0 - 180 * DAY), "ask.email.long", "EMAIL"),
            (dict(phone=phone, first_visit_at=T0 - 3 * 365 * DAY), "ask.sms.long", "SMS"),
        ]
        for i, (kwargs, template, channel) in enumerate(cases):
            with self.subTest(i=i, kwargs=kwargs):
                party = self.store.parties.add(kind="client", display_name=f"Client {i}", consent={"contact"},
                                               **kwargs)
                self.event("nps", party=party, value=10)
                [ask] = self.asks(party)
                self.assertEqual((ask.template, ask.channel), (template, channel))
                self.assertEqual(ask.details["segment"], template.rsplit(".", 1)[1])
        self.store.programs.update(self.program, new_client_days=30)
        month = self.client("Mo Nth", first_visit_at=T0 - 31 * DAY)
        self.event("nps", party=month, value=10)
        self.assertEqual(self.asks(month)[0].template, "ask.email.long")

    def test_preferred_channel_of_a_party(self):
        self.assertIsNone(self.ann.preferred_channel)
        self.assertIsNone(self.ann.to_dict()["preferred_channel"])
        kim = self.store.parties.add(kind="client", display_name="Kim", preferred_channel="SMS")
        self.assertIs(kim.preferred_channel, Channel.SMS)
        self.assertEqual(kim.to_dict()["preferred_channel"], "SMS")
        self.store.advance(60)
        changed = self.store.parties.update(kim, preferred_channel=Channel.EMAIL)
        self.assertEqual((changed.preferred_channel, changed.updated_at), ("EMAIL", T0 + 60))
        self.assertEqual(self.store.parties.update(kim, display_name="Kim B").preferred_channel, "EMAIL")
        self.assertEqual(self.store.parties.get(kim).preferred_channel, "EMAIL")
        self.assertRaisesUnchanged(referral.InvalidArgument, self.store.parties.update, kim,
                                   preferred_channel="pigeon")
        exc = self.assertRaisesUnchanged(referral.InvalidArgument, core.rf_party_update, self.store._h, kim.id,
                                         {"preferred_channel": 99})
        self.assertReferralError(exc, core.RF_EINVALID, "preferred_channel")

    # --- asks by date (made when the outbox is drained) ---------------------------------------

    def test_asks_by_date(self):
        ninety = self.client("Nina Ty", first_visit_at=T0 - 90 * DAY)
        twin = self.client("Tw In", first_visit_at=T0 - 90 * DAY)        # each client is asked
        late = self.client("Lat E", first_visit_at=T0 - 121 * DAY)       # past the 30-day window
        year = self.client("Yea R", first_visit_at=dt.datetime(2025, 3, 1, tzinfo=UTC))
        self.assertEqual(self.tasks(kind="ask"), [])                      # nothing until the outbox runs
        handed = self.drain()
        self.assertEqual(sorted((t.party_id, t.details["trigger"]) for t in handed),
                         sorted([(ninety.id, "days_after_first_visit"), (twin.id, "days_after_first_visit"),
                                 (year.id, "anniversary")]))
        by_party = {t.party_id: t for t in handed}
        self.assertEqual(by_party[ninety.id].key,
                         f"ask:{self.program.id}:days_after_first_visit:{ninety.id}:once")
        self.assertEqual(by_party[year.id].key, f"ask:{self.program.id}:anniversary:{year.id}:year1")
        self.assertEqual(by_party[year.id].template, "ask.email.long")
        self.assertEqual(self.asks(late), [])
        self.store.advance(DAY)
        self.drain()
        self.assertEqual(len(self.tasks(kind="ask")), 3)                  # decided once
        self.store.programs.update(self.program, ask_after_first_visit_days=0, ask_on_anniversary=False)
        self.store.advance(365 * DAY)
        self.drain()
        self.assertEqual(len(self.tasks(kind="ask")), 3)                  # turned off

    # --- outcomes -------------------------------------------------------------------------------

    def test_outcome_of_an_ask(self):
        self.event("nps", value=10)
        [ask] = self.drain()
        self.assertIsNone(ask.outcome)
        sent = self.store.outbox.sent(ask)
        self.assertIs(sent.outcome, AskOutcome.SENT)  # set when the ask goes out
        seq = self.store.journal_last_seq()
        shared = self.store.outbox.set_outcome(ask, "shared")
        self.assertEqual((shared.outcome, shared.state), ("SHARED", "SENT"))
        self.assertEqual([(e.type, e.subject_id, e.data) for e in self.journal_since(seq)],
                         [(core.RF_EVENT_ASK_OUTCOME, ask.id, "outcome=SHARED")])
        self.assertEqual(self.store.outbox.set_outcome(ask.id, AskOutcome.REFERRED).outcome, "REFERRED")
        self.assertEqual(self.store.outbox.get(ask).outcome, AskOutcome.REFERRED)  # the latest report wins

    def test_outcome_refusals(self):
        self.event("nps", value=10)
        self.event("nps", value=10)
        ask, held = self.asks()
        exc = self.assertRaisesUnchanged(referral.IllegalTransition, self.store.outbox.set_outcome, held,
                                         "declined")
        self.assertReferralError(exc, core.RF_ESTATE, held.id, "SUPPRESSED")
        self.assertEqual(exc.error_class, core.RF_ERRCLASS_OUTBOX)
        self.refer(self.lead("Sam Two"), referrer=self.gp, source="partner")
        [thanks] = self.tasks(kind="thank_referrer")
        exc = self.assertRaisesUnchanged(referral.InvalidArgument, self.store.outbox.set_outcome, thanks,
                                         "shared")
        self.assertReferralError(exc, core.RF_EINVALID, "THANK_REFERRER")
        self.assertRaisesUnchanged(referral.InvalidArgument, self.store.outbox.set_outcome, ask, "maybe")
        for bad in (0, 5):
            with self.subTest(outcome=bad):
                self.assertRaisesUnchanged(referral.InvalidArgument, core.rf_task_set_outcome, self.store._h,
                                           ask.id, bad)
        exc = self.assertRaisesUnchanged(referral.NotFound, self.store.outbox.set_outcome, UNKNOWN_ID, "shared")
        self.assertReferralError(exc, core.RF_ENOTFOUND, UNKNOWN_ID)


class MemoryAskTest(MemoryBackend, AskCases, unittest.TestCase):
    pass


class SqliteAskTest(SqliteBackend, AskCases, unittest.TestCase):
    pass


if __name__ == "__main__":
    unittest.main()
