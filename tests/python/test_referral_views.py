"""What referrers and partners see: the referrer view (initials unless the
referee consented) and the partner exchange."""

import datetime as dt
import unittest

import referral
from referral import core
from support import DAY, T0, MemoryBackend, ReferralFixture, SqliteBackend

UTC = dt.timezone.utc
UNKNOWN_ID = "0190a1b2-0000-7000-8000-000000000000"


class ReferrerViewCases(ReferralFixture):
    def test_view_shows_initials_unless_the_referee_consented(self):
        ann = self.lead("Ann Able", email="ann@example.org", phone="+44 20 7946 0000",
                        consent={"contact", "share_contact"})
        bob = self.lead("Bob van der Berg", consent={"contact", "named"})
        zoe = self.lead("zoë Ōtsuka-Smith")
        cat, dan, eve = self.lead("Cat Cole"), self.lead("Dan Dunn"), self.lead("Eve Eyre")
        made = {}
        for i, person in enumerate((self.sam, ann, bob, zoe, cat, dan, eve)):
            made[person.id] = self.refer(person, code="jane-doe") if i == 0 else self.refer(
                person, referrer=self.jane, source="intake")
            self.store.advance(DAY)
        self.walk(made[self.sam.id], "ACCEPTED", "SCHEDULED")
        self.walk(made[ann.id], "DECLINED")
        self.walk(made[bob.id], "ACCEPTED", "ON_HOLD")
        self.walk(made[zoe.id], "ACCEPTED", "SCHEDULED", "SEEN")
        self.walk(made[cat.id], "ENTERED_IN_ERROR")
        self.walk(made[dan.id], "ACCEPTED", "SCHEDULED", "SEEN", "CLOSED")
        self.walk(made[eve.id], "CANCEL_REQUESTED")

        entries = list(self.store.referrals.referrer_view(self.jane))
        self.assertEqual([(e.referee_label, e.status) for e in entries], [
            ("S. L.", "BOOKED"),
            ("Ann Able", "NOT_PROCEEDING"),  # consented: the name, and nothing else
            ("B. V. D. B.", "RECEIVED"),  # on hold: still "received" to the referrer
            ("Z. Ō. S.", "SEEN"),  # a hyphen starts a word; a non-ASCII letter is kept whole
            ("D. D.", "CLOSED"),  # Cat's referral was entered in error: left out
            ("E. E.", "NOT_PROCEEDING"),
        ])
        self.assertIs(entries[0].status, referral.ReferrerStatus.BOOKED)
        self.assertEqual([e.referral_id for e in entries],
                         [made[p.id].id for p in (self.sam, ann, bob, zoe, dan, eve)])
        self.assertEqual([e.received_at for e in entries], [T0 + d * DAY for d in (0, 1, 2, 3, 5, 6)])
        self.assertEqual(entries[1].received_at_dt, dt.datetime(2026, 3, 2, tzinfo=UTC))
        for entry in entries:
            for secret in ("ann@example.org", "7946", "Bob", "Sam"):
                self.assertNotIn(secret, entry.referee_label)
        self.assertEqual(entries[0].to_dict(), {"referral_id": made[self.sam.id].id, "referee_label": "S. L.",
                                                "status": "BOOKED", "received_at": T0})

    def test_empty_and_unknown(self):
        self.assertEqual(list(self.store.referrals.referrer_view(self.john.id)), [])
        exc = self.assertRaisesUnchanged(referral.NotFound, self.store.referrals.referrer_view, UNKNOWN_ID)
        self.assertReferralError(exc, -3, UNKNOWN_ID)
        self.assertRaisesUnchanged(TypeError, self.store.referrals.referrer_view, None)

    def test_only_the_referrers_own_referrals(self):
        self.refer(self.sam, code="jane-doe")
        ann = self.lead("Ann Able")
        self.refer(ann, code="john-roe")
        self.assertEqual([e.referee_label for e in self.store.referrals.referrer_view(self.john)], ["A. A."])

    def make_many(self, count=150):
        leads = [self.lead(f"Lead Number{i:03d}") for i in range(count)]
        return [self.refer(p, referrer=self.gp, source="partner") for p in leads]

    def test_long_view_pages(self):
        refs = self.make_many()
        with self.store.referrals.referrer_view(self.gp) as view:
            self.assertEqual([e.referral_id for e in view], [r.id for r in refs])

    def test_long_view_skips_errors_on_every_page(self):
        refs = self.make_many()
        for ref in refs[::10]:
            ref.advance("entered_in_error")
        expected = [r.id for i, r in enumerate(refs) if i % 10 != 0]
        with self.store.referrals.referrer_view(self.gp) as view:
            self.assertEqual([e.referral_id for e in view], expected)

    def test_low_level_view(self):
        self.refer(self.sam, code="jane-doe")
        view = core.rf_referrer_view_open(self.store._h, self.jane.id)
        entry = next(view)
        self.assertEqual(core.rf_referrer_entry_referee_label(entry), "S. L.")
        self.assertEqual(core.rf_referrer_status_name(core.rf_referrer_entry_status(entry)), "RECEIVED")
        self.assertRaises(StopIteration, next, view)
        self.assertIsNone(core.rf_referrer_view_next(view))  # RF_ITEROVER
        core.rf_referrer_view_free(view)


class PartnerExchangeCases(ReferralFixture):
    def setUp(self):
        super().setUp()
        self.gp2 = self.store.parties.add(kind="partner", display_name="Oak Lane Clinic")
        self.store.advance(DAY)  # everything below is received from T0 + 1 day on

    def make_exchange(self):
        """From T0+1d: the GP sends two leads, one of them entered in error, Jane (a client) sends
        one; the practice sends Jane to the GP and to Oak Lane; Oak Lane sends one on day 10."""
        a, b, c, d = (self.lead(n) for n in ("Ann Able", "Bob Best", "Cat Cole", "Dan Dunn"))
        self.refer(a, referrer=self.gp, source="partner")
        self.refer(b, referrer=self.gp, source="partner")
        self.refer(self.lead("Err Ore"), referrer=self.gp, source="partner").advance("entered-in-error")
        self.refer(c, code="jane-doe")
        self.store.advance(DAY)
        self.refer(self.jane, direction="outbound", target=self.gp, reason="physiotherapy")
        self.refer(self.john, direction="outbound", target=self.gp2, reason="dietitian")
        self.store.set_time(T0 + 10 * DAY)
        self.refer(d, referrer=self.gp2, source="partner")

    def test_counts_per_partner(self):
        self.make_exchange()
        rows = self.store.referrals.partner_exchange(T0, T0 + 30 * DAY)
        expected = sorted([(self.gp.id, 1, 2), (self.gp2.id, 1, 1)])
        self.assertEqual([tuple(r) for r in rows], expected)  # ordered by partner id
        self.assertIsInstance(rows[0], referral.PartnerExchangeRow)
        by_partner = {r.partner_id: (r.given, r.received) for r in rows}
        self.assertEqual(by_partner, {self.gp.id: (1, 2), self.gp2.id: (1, 1)})

    def test_period(self):
        self.make_exchange()
        first_day = self.store.referrals.partner_exchange(T0 + DAY, T0 + 2 * DAY)
        self.assertEqual([tuple(r) for r in first_day], [(self.gp.id, 0, 2)])
        later = self.store.referrals.partner_exchange(dt.datetime(2026, 3, 3, tzinfo=UTC),
                                                      dt.datetime(2026, 4, 1, tzinfo=UTC))
        self.assertEqual(sorted(tuple(r) for r in later), sorted([(self.gp.id, 1, 0), (self.gp2.id, 1, 1)]))
        self.assertEqual(self.store.referrals.partner_exchange(T0, T0), [])
        self.assertEqual(self.store.referrals.partner_exchange(T0 + 11 * DAY, T0 + 12 * DAY), [])

    def test_refusals(self):
        exc = self.assertRaisesUnchanged(referral.InvalidArgument, self.store.referrals.partner_exchange,
                                         T0 + DAY, T0)
        self.assertReferralError(exc, -5, "before it starts")
        self.assertRaisesUnchanged(TypeError, self.store.referrals.partner_exchange, "2026-03-01", T0)

    def test_low_level_result_object(self):
        self.make_exchange()
        x = core.rf_partner_exchange_compute(self.store._h, T0, T0 + 30 * DAY)
        self.assertEqual(len(x), 2)
        self.assertEqual(core.rf_partner_exchange_count(x), 2)
        rows = sorted([(self.gp.id, 1, 2), (self.gp2.id, 1, 1)])
        self.assertEqual([x[0], x[1]], rows)
        self.assertEqual(x[-1], rows[-1])
        self.assertEqual(list(x), rows)  # the sequence protocol through __getitem__
        with self.assertRaises(IndexError):
            x[2]
        self.assertEqual(core.rf_partner_exchange_partner_id(x, 0), rows[0][0])
        self.assertIsNone(core.rf_partner_exchange_partner_id(x, 5))
        core.rf_partner_exchange_free(x)
        self.assertEqual(len(x), 0)  # a freed result forgets its rows


class MemoryReferrerViewTest(MemoryBackend, ReferrerViewCases, unittest.TestCase):
    pass


class SqliteReferrerViewTest(SqliteBackend, ReferrerViewCases, unittest.TestCase):
    pass


class MemoryPartnerExchangeTest(MemoryBackend, PartnerExchangeCases, unittest.TestCase):
    pass


class SqlitePartnerExchangeTest(SqliteBackend, PartnerExchangeCases, unittest.TestCase):
    pass


if __name__ == "__main__":
    unittest.main()
