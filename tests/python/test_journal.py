"""store.journal(): every change in order, cursors, and no personal data."""

import datetime as dt
import unittest

import referral
from support import DAY, T0, MemoryBackend, SqliteBackend, StoreFixture

UTC = dt.timezone.utc


class JournalCases(StoreFixture):
    store_options = {"phone_region": "44"}

    def record_some_changes(self):
        """Five changes: add, add, update, issue, use."""
        jane = self.store.parties.add(kind="client", display_name="Jane Doe", idempotency_key="add-jane")
        self.store.advance(DAY)
        sam = self.store.parties.add(kind="lead", display_name="Sam Lee")
        self.store.parties.update(sam, kind="client")
        self.store.advance(DAY)
        code = self.store.codes.issue(jane)
        self.store.codes.use(code)
        return jane, sam, code

    def test_empty_journal(self):
        self.assertEqual(self.store.journal_last_seq(), 0)
        self.assertEqual(list(self.store.journal()), [])

    def test_events_in_order(self):
        jane, sam, code = self.record_some_changes()
        events = list(self.store.journal())
        self.assertEqual([e.seq for e in events], [1, 2, 3, 4, 5])
        self.assertEqual(self.store.journal_last_seq(), 5)
        self.assertEqual([e.type for e in events],
                         ["party.added", "party.added", "party.updated", "code.issued", "code.used"])
        self.assertEqual([e.subject_id for e in events], [jane.id, sam.id, sam.id, code.id, code.id])
        self.assertEqual([e.object_id for e in events], [None, None, None, jane.id, jane.id])
        self.assertEqual([e.at for e in events], [T0, T0 + DAY, T0 + DAY, T0 + 2 * DAY, T0 + 2 * DAY])
        self.assertEqual(events[0].at_dt, dt.datetime(2026, 3, 1, tzinfo=UTC))
        self.assertEqual([e.idempotency_key for e in events], ["add-jane", None, None, None, None])
        self.assertEqual(events[0].data, "kind=CLIENT")
        self.assertEqual(events[1].data, "kind=LEAD")
        self.assertIn("kind", events[2].data)
        self.assertEqual(events[3].data, "style=VANITY")
        self.assertEqual(events[4].data, "uses=1")
        self.assertEqual(events[0].to_dict()["type"], "party.added")
        self.assertEqual(type(events[0]).__name__, "Event")

    def test_event_type_constants(self):
        from referral import core

        self.record_some_changes()
        types = {e.type for e in self.store.journal()}
        self.assertEqual(types, {core.RF_EVENT_PARTY_ADDED, core.RF_EVENT_PARTY_UPDATED,
                                 core.RF_EVENT_CODE_ISSUED, core.RF_EVENT_CODE_USED})

    def test_cursor_resume(self):
        self.record_some_changes()
        cursor = 0
        seen = []
        with self.store.journal(after=cursor) as it:
            for event in it:
                seen.append(event.seq)
                cursor = event.seq
                if cursor == 2:
                    break
        self.assertEqual(seen, [1, 2])
        self.assertEqual([e.seq for e in self.store.journal(after=cursor)], [3, 4, 5])
        # New events after the cursor show up on the next read.
        self.store.codes.revoke("jane-doe", reason="lost")
        self.assertEqual([(e.seq, e.type) for e in self.store.journal(after=5)], [(6, "code.revoked")])
        self.assertEqual(list(self.store.journal(after=6)), [])
        self.assertEqual(list(self.store.journal(after=1000)), [])

    def test_negative_cursor(self):
        self.record_some_changes()
        exc = self.assertRaisesUnchanged(referral.InvalidArgument, self.store.journal, after=-1)
        self.assertReferralError(exc, -5, "negative")
        self.assertRaisesUnchanged(TypeError, self.store.journal, after="0")

    def test_many_events_page_without_gaps(self):
        with self.store.transaction():
            for i in range(300):
                self.store.parties.add(kind="lead", display_name=f"Lead {i:03}")
        self.assertEqual([e.seq for e in self.store.journal()], list(range(1, 301)))
        self.assertEqual([e.seq for e in self.store.journal(after=123)], list(range(124, 301)))

    def test_failed_calls_write_no_events(self):
        self.record_some_changes()
        seq = self.store.journal_last_seq()
        with self.assertRaises(referral.InvalidArgument):
            self.store.parties.add(kind="client", display_name="Bad Email", email="nope")
        self.store.codes.revoke("jane-doe")
        with self.assertRaises(referral.IllegalTransition):
            self.store.codes.revoke("jane-doe")
        with self.assertRaises(referral.IllegalTransition):
            self.store.codes.use("jane-doe")
        self.assertEqual(self.store.journal_last_seq(), seq + 1)  # only the one revoke

    def test_no_personal_data_in_events(self):
        name = "Philippa Quarrington"
        email = "Philippa.Quarrington@Example.ORG"
        phone = "07700 900 461"
        person = self.store.parties.add(kind="client", display_name=name, email=email, phone=phone,
                                        external_id="pms-secret-1", segment="long-standing",
                                        intake="friend-or-family", intake_detail="Told by Dr Marchetti")
        self.store.parties.update(person, email="p.quarrington@example.net", phone="+44 7700 900 462",
                                  display_name="Pippa Quarrington")
        code = self.store.codes.issue(person)
        self.store.codes.use(code)
        self.store.codes.revoke(code, reason="asked to stop")
        self.assertEqual(code.text, "pippa-quarrington")  # from the current name

        personal = [name, "Pippa Quarrington", email, email.lower(), person.phone, "+447700900462",
                    "p.quarrington@example.net", "Quarrington", "quarrington", "07700", "900461", "Marchetti"]
        events = list(self.store.journal())
        self.assertEqual(len(events), 5)
        for event in events:
            for field, value in event.to_dict().items():
                if not isinstance(value, str):
                    continue
                for secret in personal:
                    with self.subTest(seq=event.seq, field=field, secret=secret):
                        self.assertNotIn(secret.lower(), value.lower())


class MemoryJournalTest(MemoryBackend, JournalCases, unittest.TestCase):
    pass


class SqliteJournalTest(SqliteBackend, JournalCases, unittest.TestCase):
    def test_journal_survives_reopening(self):
        self.record_some_changes()
        events = [e.to_dict() for e in self.store.journal()]
        self.store.close()
        with self.open_store() as again:
            self.assertEqual([e.to_dict() for e in again.journal()], events)
            self.assertEqual(again.journal_last_seq(), 5)
            again.parties.add(kind="client", display_name="After Reopen")
            self.assertEqual(again.journal_last_seq(), 6)


if __name__ == "__main__":
    unittest.main()
