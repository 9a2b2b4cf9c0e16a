"""store.events: every event type, the first visit a visit dates, listing,
idempotency, every refusal (nothing changed) and the low-level SWIG calls."""

import datetime as dt
import unittest

import referral
from referral import ClientEventType, DischargeOutcome, core
from support import DAY, T0, MemoryBackend, OutboxFixture, SqliteBackend

UTC = dt.timezone.utc
UNKNOWN_ID = "0190a1b2-0000-7000-8000-000000000000"
CLIENT_EVENT = core.RF_EVENT_CLIENT_EVENT


class EventCases(OutboxFixture):
    def add(self, type, party=None, **kwargs):
        return self.store.events.add(party or self.jane, type, **kwargs)

    # --- success paths -------------------------------------------------------------

    def test_every_type(self):
        cases = [
            ("visit_completed", dict(practitioner=self.dr), dict(practitioner_id=self.dr.id), None),
            ("nps", dict(value=10), dict(value=10), "type=NPS;value=10"),
            ("nps", dict(value=0), dict(value=0), "type=NPS;value=0"),
            ("milestone", dict(label="10 sessions"), dict(label="10 sessions"), "type=MILESTONE"),
            ("discharge", dict(value="good"), dict(value=int(DischargeOutcome.GOOD)), "type=DISCHARGE;value=1"),
            ("discharge", dict(value=DischargeOutcome.POOR), dict(value=3), "type=DISCHARGE;value=3"),
            ("payment_cleared", {}, {}, "type=PAYMENT_CLEARED"),
            ("payment_cleared", dict(amount=6500, currency="EUR"), dict(amount=6500, currency="EUR"), None),
            ("praise", {}, {}, "type=PRAISE"),
            ("praise", dict(label="Google review"), dict(label="Google review"), None),
            ("complaint_opened", dict(label="C-17"), dict(label="C-17"), "type=COMPLAINT_OPENED"),
            ("complaint_resolved", dict(label="C-17"), dict(label="C-17"), "type=COMPLAINT_RESOLVED"),
            ("revenue", dict(amount=12000, currency="GBP"), dict(amount=12000, currency="GBP"), "type=REVENUE"),
            ("sensitive_phase", dict(value=True), dict(value=1), "type=SENSITIVE_PHASE;value=1"),
            ("sensitive_phase", dict(value=0), dict(value=0), "type=SENSITIVE_PHASE;value=0"),
        ]
        made = []
        for i, (type_name, kwargs, expected, data) in enumerate(cases):
            with self.subTest(type=type_name, i=i):
                self.store.advance(60)
                seq = self.store.journal_last_seq()
                event = self.add(type_name, **kwargs)
                made.append(event)
                self.assertIsInstance(event, referral.ClientEvent)
                self.assertRegex(event.id, r"^[0-9a-f-]{36}$")
                self.assertIs(event.type, ClientEventType.coerce(type_name))
                self.assertEqual(event.type, type_name.upper())
                self.assertEqual(event.party_id, self.jane.id)
                fields = dict(practitioner_id=None, value=None, label=None, amount=None, currency=None)
                fields.update(expected)
                for name, value in fields.items():
                    self.assertEqual(getattr(event, name), value, name)
                self.assertEqual((event.at, event.recorded_at), (self.store.now, self.store.now))
                self.assertEqual(event.at_dt, self.store.now_dt)
                journalled = self.journal_since(seq, CLIENT_EVENT)
                self.assertEqual([(e.subject_id, e.object_id) for e in journalled], [(event.id, self.jane.id)])
                self.assertEqual(journalled[0].data, data or f"type={type_name.upper()}")
                self.assertEqual(event.to_dict()["type"], type_name.upper())
                self.assertNotIn("Google", repr(event))
        self.assertEqual(made[4].outcome, DischargeOutcome.GOOD)
        self.assertIsNone(made[1].outcome)
        self.assertEqual(list(self.store.events.list()), made)

    def test_at_defaults_to_now_and_may_be_a_day_ahead(self):
        past = self.add("nps", value=9, at=dt.datetime(2026, 2, 14, 12, 0))
        self.assertEqual(past.at, T0 - 15 * DAY + 12 * 3600)
        self.assertEqual(past.recorded_at, T0)
        ahead = self.add("praise", at=T0 + DAY)
        self.assertEqual(ahead.at, T0 + DAY)
        self.assertEqual(self.add("praise", at=0).at, 0)

    def test_leads_have_events_too(self):
        event = self.add("nps", party=self.sam.id, value=7)
        self.assertEqual(event.party_id, self.sam.id)

    def test_a_visit_dates_the_first_visit_once(self):
        self.assertIsNone(self.jane.first_visit_at)
        self.store.advance(DAY)
        seq = self.store.journal_last_seq()
        self.add("visit_completed", at=T0 + 3600)
        jane = self.store.parties.get(self.jane)
        self.assertEqual(jane.first_visit_at, T0 + 3600)
        self.assertEqual(jane.updated_at, T0 + DAY)
        self.assertEqual([e.type for e in self.journal_since(seq)],
                         [CLIENT_EVENT, core.RF_EVENT_PARTY_UPDATED])
        self.store.advance(DAY)
        seq = self.store.journal_last_seq()
        self.add("visit_completed", practitioner=self.dr)
        self.assertEqual(self.store.parties.get(self.jane), jane)  # the first visit stands
        self.assertEqual([e.type for e in self.journal_since(seq)], [CLIENT_EVENT])
        dated = self.store.parties.add(kind="client", display_name="Dated", first_visit_at=T0 - 400 * DAY)
        self.add("visit_completed", party=dated)
        self.assertEqual(self.store.parties.get(dated).first_visit_at, T0 - 400 * DAY)

    def test_list_filters(self):
        a = self.add("nps", value=10, at=T0 - 3 * DAY)
        b = self.add("praise", party=self.john, at=T0 - 2 * DAY)
        c = self.add("nps", party=self.john, value=3, at=T0 - DAY)
        d = self.add("revenue", amount=100, currency="EUR")
        events = self.store.events
        self.assertEqual(list(events), [a, b, c, d])
        self.assertEqual(list(events.list(party=self.john)), [b, c])
        self.assertEqual(list(events.list(party=self.jane.id, type="nps")), [a])
        self.assertEqual(list(events.list(type=ClientEventType.NPS)), [a, c])
        self.assertEqual(list(events.list(since=T0 - 2 * DAY)), [b, c, d])
        self.assertEqual(list(events.list(until=dt.datetime(2026, 2, 28, tzinfo=UTC))), [a, b])
        self.assertEqual(list(events.list(since=T0 - 2 * DAY, until=T0)), [b, c])
        self.assertEqual(list(events.list(party=UNKNOWN_ID)), [])
        with events.list() as it:
            self.assertEqual(next(it), a)

    def test_idempotent_add(self):
        first = self.add("nps", value=10, idempotency_key="nps-1")
        self.store.advance(60)
        before = self.snapshot()
        # A retry a minute later asks for the same thing: "now" is not part of the request.
        self.assertEqual(self.add("nps", value=10, idempotency_key="nps-1"), first)
        self.assertEqual(self.snapshot(), before)
        exc = self.assertRaisesUnchanged(referral.Conflict, self.add, "nps", value=10, at=T0,
                                         idempotency_key="nps-1")
        self.assertReferralError(exc, core.RF_ECONFLICT)
        exc = self.assertRaisesUnchanged(referral.Conflict, self.add, "nps", value=9, idempotency_key="nps-1")
        self.assertReferralError(exc, core.RF_ECONFLICT)

    # --- refusals ------------------------------------------------------------------------

    def test_missing_and_refused_fields(self):
        self.add("complaint_opened", label="C-1")
        cases = [
            ("nps", {}, "value"),
            ("nps", dict(value=11), "out of range"),
            ("nps", dict(value=5, label="x"), "label"),
            ("nps", dict(value=5, practitioner=self.dr), "practitioner"),
            ("milestone", {}, "label"),
            ("milestone", dict(label=""), "label"),
            ("discharge", {}, "value"),
            ("discharge", dict(value=4), "out of range"),
            ("discharge", dict(value=0), "out of range"),
            ("complaint_opened", {}, "label"),
            ("complaint_resolved", {}, "label"),
            ("revenue", {}, "amount"),
            ("revenue", dict(amount=100), "currency"),
            ("revenue", dict(amount=0, currency="EUR"), "amount"),
            ("revenue", dict(amount=-5, currency="EUR"), "negative"),
            ("revenue", dict(amount=10**12 + 1, currency="EUR"), "out of range"),
            ("revenue", dict(amount=100, currency="eur"), "ISO 4217"),
            ("payment_cleared", dict(currency="EUR"), "without an amount"),
            ("praise", dict(value=1), "value"),
            ("praise", dict(amount=100, currency="EUR"), "amount"),
            ("visit_completed", dict(value=1), "value"),
            ("visit_completed", dict(label="x"), "label"),
            ("sensitive_phase", dict(value=2), "out of range"),
            ("nps", dict(value=9, at=T0 + DAY + 1), "more than a day ahead"),
            ("nps", dict(value=9, at=-1), "before 1970"),
            ("nps", dict(value=9, label="x" * 5000), "label"),
        ]
        for type_name, kwargs, fragment in cases:
            with self.subTest(type=type_name, kwargs=kwargs):
                exc = self.assertRaisesUnchanged(referral.InvalidArgument, self.add, type_name, **kwargs)
                self.assertReferralError(exc, core.RF_EINVALID, fragment)
                self.assertEqual(exc.error_class, core.RF_ERRCLASS_PARTY)

    def test_refused_by_the_binding(self):
        for kwargs, exc_class in [
                (dict(value=-1), referral.InvalidArgument),       # -1 is the C "unset" marker
                (dict(value=9.5), TypeError),
                (dict(value="good"), referral.InvalidArgument),   # only a discharge takes an outcome name
                (dict(value="great"), referral.InvalidArgument),
                (dict(value=9, at="yesterday"), TypeError),
                (dict(value=9, label="a\0b"), referral.InvalidArgument)]:
            with self.subTest(kwargs=kwargs):
                self.assertRaisesUnchanged(exc_class, self.add, "nps", **kwargs)
        self.assertRaisesUnchanged(TypeError, self.add, "revenue", amount=1.5, currency="EUR")
        self.assertRaisesUnchanged(referral.InvalidArgument, self.add, "gossip")
        self.assertRaisesUnchanged(referral.InvalidArgument, self.add, 0)
        self.assertRaisesUnchanged(TypeError, self.store.events.add, None, "praise")

    def test_who_may_have_events(self):
        exc = self.assertRaisesUnchanged(referral.NotFound, self.add, "praise", party=UNKNOWN_ID)
        self.assertReferralError(exc, core.RF_ENOTFOUND, UNKNOWN_ID)
        for party in (self.gp, self.dr):
            with self.subTest(kind=party.kind):
                exc = self.assertRaisesUnchanged(referral.IllegalTransition, self.add, "praise", party=party)
                self.assertReferralError(exc, core.RF_ESTATE, str(party.kind))
        exc = self.assertRaisesUnchanged(referral.NotFound, self.add, "visit_completed", practitioner=UNKNOWN_ID)
        self.assertReferralError(exc, core.RF_ENOTFOUND)
        exc = self.assertRaisesUnchanged(referral.InvalidArgument, self.add, "visit_completed",
                                         practitioner=self.john)
        self.assertReferralError(exc, core.RF_EINVALID, "not STAFF")

    def test_only_an_open_complaint_is_resolved(self):
        exc = self.assertRaisesUnchanged(referral.IllegalTransition, self.add, "complaint_resolved", label="C-1")
        self.assertReferralError(exc, core.RF_ESTATE, "no open complaint")
        self.add("complaint_opened", label="C-1")
        self.assertRaisesUnchanged(referral.IllegalTransition, self.add, "complaint_resolved", label="C-2")
        self.assertRaisesUnchanged(referral.IllegalTransition, self.add, "complaint_resolved", party=self.john,
                                   label="C-1")
        self.add("complaint_resolved", label="C-1")
        self.assertRaisesUnchanged(referral.IllegalTransition, self.add, "complaint_resolved", label="C-1")
        self.add("complaint_opened", label="C-1")  # reopened: resolvable again
        self.add("complaint_resolved", label="C-1")

    def test_list_refusals(self):
        self.assertRaises(referral.InvalidArgument, self.store.events.list, type="gossip")
        self.assertRaises(TypeError, self.store.events.list, since="yesterday")
        with self.assertRaises(referral.InvalidArgument):
            core.rf_client_event_list(self.store._h, {"type": 99})

    def test_closed_store(self):
        self.store.close()
        self.assertRaises(referral.InvalidArgument, self.add, "praise")
        self.assertRaises(referral.InvalidArgument, self.store.events.list)


class LowLevelEventCases(OutboxFixture):
    def test_swig_calls(self):
        h = self.store._h
        e = core.rf_client_event_add(h, {"party_id": self.jane.id, "type": core.RF_CLIENT_EVENT_NPS, "value": 10})
        self.assertEqual(core.rf_client_event_value(e), 10)
        self.assertEqual(core.rf_client_event_get_type(e), core.RF_CLIENT_EVENT_NPS)
        self.assertEqual(core.rf_client_event_amount(e), 0)
        self.assertEqual(core.rf_client_event_type_name(core.RF_CLIENT_EVENT_REVENUE), "REVENUE")
        self.assertEqual(core.rf_client_event_type_name(99), "UNSET")
        self.assertEqual(core.RF_CLIENT_EVENT_TYPE_COUNT, 11)
        for member in ClientEventType:
            self.assertEqual(core.rf_client_event_type_name(int(member)), member.name)
        with self.assertRaisesRegex(TypeError, "valeu"):
            core.rf_client_event_add(h, {"party_id": self.jane.id, "type": 2, "valeu": 1})
        with self.assertRaises(TypeError):
            core.rf_client_event_add(h, {"party_id": self.jane.id, "type": 9, "amount": 1.0, "currency": "EUR"})
        core.rf_client_event_free(e)
        self.assertIsNone(core.rf_client_event_id(e))  # freed: the proxy forgot its pointer

    def test_iterator_keeps_its_store_alive(self):
        self.store.events.add(self.jane, "praise")
        h = core.rf_store_open("memory:", {"seed": 7})
        party = core.rf_party_add(h, {"kind": core.RF_PARTY_CLIENT, "display_name": "Kim"})
        core.rf_client_event_add(h, {"party_id": core.rf_party_id(party), "type": core.RF_CLIENT_EVENT_PRAISE})
        it = core.rf_client_event_list(h, None)
        del h
        self.assertEqual([core.rf_client_event_get_type(e) for e in it], [core.RF_CLIENT_EVENT_PRAISE])


class MemoryEventTest(MemoryBackend, EventCases, unittest.TestCase):
    pass


class SqliteEventTest(SqliteBackend, EventCases, unittest.TestCase):
    pass


class MemoryLowLevelEventTest(MemoryBackend, LowLevelEventCases, unittest.TestCase):
    pass


if __name__ == "__main__":
    unittest.main()
