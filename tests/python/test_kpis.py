"""store.kpis: a small story whose every figure is worked out by hand below,
the filters, an empty period (None, never 0.0), datetimes or int seconds,
and refused filters that change nothing."""

import datetime as dt
import unittest

import referral
from referral import Kpi, KpiReport
from support import DAY, T0, MemoryBackend, ReferralFixture, SqliteBackend

UTC = dt.timezone.utc
HOUR = 3600
UNKNOWN_ID = "0190a1b2-0000-7000-8000-000000000000"
R = T0 + HOUR  # when the story's referrals are received
PERIOD = (T0, T0 + 30 * DAY)
NOW = T0 + 40 * DAY  # when the reports are computed


class KpiCases(ReferralFixture):
    def setUp(self):
        super().setUp()
        store = self.store
        self.friends = store.programs.create(name="Friends", exclude_existing_clients=False, fraud_action="flag",
                                             sla_urgent_hours=4, sla_routine_hours=48)
        self.other = store.programs.create(name="Partners", exclude_existing_clients=False, fraud_action="flag")
        store.set_time(R)
        # quick: routine, by code, with its letter, taken by the doctor; answered in 2 h, closed.
        self.quick = self.refer(self.lead("Ann"), self.friends, code=self.code, practitioner=self.dr,
                                documents_required=["letter"], documents_received=["letter"])
        # slow: urgent, from the surgery by letter, imaging missing; answered in 6 h, a no-show.
        self.slow = self.refer(self.lead("Bob"), self.friends, referrer=self.gp, source="partner",
                               channel="letter", urgency="urgent", documents_required=["letter", "imaging"],
                               documents_received=["letter"])
        # waiting: routine, named at intake, never answered.
        self.waiting = self.refer(self.lead("Cat"), self.friends, referrer=self.john, source="intake",
                                  channel="phone")
        # Not counted: an outbound referral, and one received after the period.
        self.outbound = self.refer(self.jane, self.friends, direction="outbound", target=self.gp,
                                   channel="letter", urgency="urgent")
        self.at(R + 2 * HOUR, self.quick, "accepted")
        self.at(R + 6 * HOUR, self.slow, "needs_info")
        self.at(R + 6 * HOUR, self.outbound, "accepted")
        self.at(R + 26 * HOUR, self.quick, "scheduled", appointment_at=R + 7 * DAY)
        self.at(R + 30 * HOUR, self.slow, "accepted")
        self.at(R + 50 * HOUR, self.slow, "scheduled", appointment_at=R + 4 * DAY)
        self.at(R + 51 * HOUR, self.outbound, "scheduled", appointment_at=R + 3 * DAY)
        self.at(R + 4 * DAY, self.slow, "no_show")
        self.at(R + 5 * DAY, self.slow, "scheduled", appointment_at=R + 8 * DAY)
        self.at(R + 7 * DAY, self.quick, "seen")
        self.at(R + 7 * DAY + HOUR, self.quick, "closed")
        store.set_time(NOW)
        self.late = self.refer(self.lead("Dan"), self.other, referrer=self.jane, source="manual")

    def at(self, when, ref, state, **kwargs):
        self.store.set_time(when)
        ref.advance(state, **kwargs)

    def assertFigure(self, report, kpi, value, numerator, denominator):
        self.assertEqual((report.value(kpi), report.numerator(kpi), report.denominator(kpi)),
                         (value, numerator, denominator), kpi)

    def test_every_figure_of_the_story(self):
        report = self.store.kpis(*PERIOD)
        self.assertIsInstance(report, KpiReport)
        self.assertEqual((report.from_, report.to, report.computed_at), (T0, T0 + 30 * DAY, NOW))
        self.assertEqual(report.computed_at_dt, dt.datetime.fromtimestamp(NOW, UTC))
        # Three received (not the outbound one, not the late one).
        self.assertEqual(report.received, 3)
        self.assertIsInstance(report.received, int)
        self.assertFigure(report, "received", 3, 3, 1)
        self.assertFigure(report, "scheduled_rate", 2 / 3, 2, 3)
        self.assertFigure(report, "seen_rate", 1 / 3, 1, 3)
        self.assertFigure(report, "closed_rate", 1 / 3, 1, 3)
        self.assertFigure(report, "completion_rate", 1 / 3, 1, 3)
        self.assertFigure(report, "leakage_rate", 0.0, 0, 3)
        self.assertFigure(report, "no_show_rate", 0.5, 1, 2)  # slow's no-show of the two scheduled
        self.assertFigure(report, "hit_rate", 2 / 3, 2, 3)  # nothing required counts as complete
        self.assertFigure(report, "missing_document_rate", 1 / 3, 1, 3)
        # Answered after 2 h and 6 h: nearest rank, p50 = rank 1, p90 = rank 2.
        self.assertFigure(report, "first_response_p50", 2 * HOUR, 0, 2)
        self.assertFigure(report, "first_response_p90", 6 * HOUR, 0, 2)
        self.assertFigure(report, "first_response_mean", 4.0 * HOUR, 8 * HOUR, 2)
        self.assertFigure(report, "to_schedule_p50", 26 * HOUR, 0, 2)
        self.assertFigure(report, "to_schedule_p90", 50 * HOUR, 0, 2)
        self.assertFigure(report, "to_schedule_mean", 38.0 * HOUR, 76 * HOUR, 2)
        # The first appointment booked counts, not the one after the no-show.
        self.assertFigure(report, "to_appointment_p50", 4 * DAY, 0, 2)
        self.assertFigure(report, "to_appointment_p90", 7 * DAY, 0, 2)
        self.assertFigure(report, "to_appointment_mean", 5.5 * DAY, 11 * DAY, 2)
        # Urgent answered after its 4 h; routine: quick in time, waiting past its 48 h.
        self.assertFigure(report, "sla_urgent", 0.0, 0, 1)
        self.assertFigure(report, "sla_routine", 0.5, 1, 2)
        # Attributes, Kpi members and C values name the same figures.
        self.assertEqual(report.no_show_rate, 0.5)
        self.assertEqual(report.value(Kpi.NO_SHOW_RATE), 0.5)
        self.assertEqual(report.numerator(int(Kpi.NO_SHOW_RATE)), 1)
        self.assertEqual(report.denominator("NO_SHOW_RATE"), 2)
        self.assertIsInstance(report.first_response_p50, int)
        self.assertIsInstance(report.first_response_mean, float)

    def test_to_dict(self):
        report = self.store.kpis(*PERIOD)
        d = report.to_dict()
        self.assertEqual((d["from_"], d["to"], d["computed_at"]), (T0, T0 + 30 * DAY, NOW))
        self.assertEqual(set(d["figures"]), {k.attribute for k in Kpi})
        self.assertEqual(d["figures"]["no_show_rate"], {"value": 0.5, "numerator": 1, "denominator": 2})
        self.assertEqual(d["figures"]["received"], {"value": 3, "numerator": 3, "denominator": 1})
        self.assertEqual(report, self.store.kpis(*PERIOD))

    def test_filters(self):
        kpis = self.store.kpis
        self.assertEqual(kpis(*PERIOD, program=self.friends).received, 3)
        self.assertEqual(kpis(*PERIOD, program=self.other.id).received, 0)
        self.assertEqual(kpis(T0, T0 + 60 * DAY, program=self.other).received, 1)
        by_letter = kpis(*PERIOD, channel="letter")  # the outbound letter does not count
        self.assertEqual((by_letter.received, by_letter.no_show_rate, by_letter.sla_urgent), (1, 1.0, 0.0))
        self.assertEqual(kpis(*PERIOD, channel=referral.Channel.PHONE).received, 1)
        by_code = kpis(*PERIOD, source="code")
        self.assertEqual((by_code.received, by_code.closed_rate, by_code.hit_rate), (1, 1.0, 1.0))
        self.assertEqual(kpis(*PERIOD, source=referral.Source.INTAKE).sla_routine, 0.0)
        by_dr = kpis(*PERIOD, practitioner=self.dr)
        self.assertEqual((by_dr.received, by_dr.first_response_p50), (1, 2 * HOUR))
        self.assertEqual(kpis(*PERIOD, practitioner=self.dr.id), by_dr)
        both = kpis(*PERIOD, program=self.friends, source="partner", channel="letter")
        self.assertEqual((both.received, both.missing_document_rate, both.hit_rate), (1, 1.0, 0.0))
        self.assertEqual(kpis(*PERIOD, source="partner", practitioner=self.dr).received, 0)

    def test_period_is_from_inclusive_to_exclusive(self):
        self.assertEqual(self.store.kpis(R, R + 1).received, 3)
        self.assertEqual(self.store.kpis(T0, R).received, 0)
        self.assertEqual(self.store.kpis(R + 1, T0 + 30 * DAY).received, 0)

    def test_datetimes_or_int_seconds(self):
        start = dt.datetime.fromtimestamp(T0, UTC)
        report = self.store.kpis(start, start + dt.timedelta(days=30))
        self.assertEqual(report, self.store.kpis(*PERIOD))
        naive = dt.datetime(2026, 3, 1)  # naive means UTC
        self.assertEqual(self.store.kpis(naive, T0 + 30 * DAY).from_, T0)
        self.assertEqual(report.from_dt, start)
        self.assertEqual(report.to_dt, start + dt.timedelta(days=30))

    def test_empty_period_is_none_not_zero(self):
        report = self.store.kpis(T0 - 10 * DAY, T0)
        self.assertEqual(report.received, 0)
        self.assertEqual((report.numerator("received"), report.denominator("received")), (0, 1))
        for kpi in Kpi:
            if kpi is Kpi.RECEIVED:
                continue
            self.assertIsNone(getattr(report, kpi.attribute), kpi)
            self.assertFalse(report.defined(kpi))
            self.assertEqual((report.numerator(kpi), report.denominator(kpi)), (0, 0))
        self.assertIsNone(report.to_dict()["figures"]["sla_routine"]["value"])

    def test_nothing_scheduled_leaves_no_show_undefined(self):
        report = self.store.kpis(*PERIOD, source="intake")
        self.assertEqual((report.received, report.scheduled_rate), (1, 0.0))
        self.assertIsNone(report.no_show_rate)
        self.assertIsNone(report.to_schedule_p50)
        self.assertIsNone(report.first_response_mean)

    def test_refused_filters_change_nothing(self):
        kpis = self.store.kpis
        exc = self.assertRaisesUnchanged(referral.InvalidArgument, kpis, T0 + DAY, T0 + DAY)
        self.assertReferralError(exc, referral.core.RF_EINVALID, "from before to")
        self.assertRaisesUnchanged(referral.InvalidArgument, kpis, T0 + 2 * DAY, T0)
        self.assertRaisesUnchanged(referral.InvalidArgument, kpis, None, T0)
        self.assertRaisesUnchanged(referral.InvalidArgument, kpis, T0, None)
        self.assertRaisesUnchanged(referral.NotFound, kpis, *PERIOD, program=UNKNOWN_ID)
        self.assertRaisesUnchanged(referral.NotFound, kpis, *PERIOD, practitioner=UNKNOWN_ID)
        self.assertRaisesUnchanged(referral.InvalidArgument, kpis, *PERIOD, channel="pigeon")
        self.assertRaisesUnchanged(referral.InvalidArgument, kpis, *PERIOD, source="rumour")
        self.assertRaisesUnchanged(TypeError, kpis, "yesterday", T0)
        report = kpis(*PERIOD)
        with self.assertRaises(AttributeError):
            report.conversion_rate
        with self.assertRaises(referral.InvalidArgument):
            report.numerator("conversion_rate")


class MemoryKpiTest(MemoryBackend, KpiCases, unittest.TestCase):
    pass


class SqliteKpiTest(SqliteBackend, KpiCases, unittest.TestCase):
    pass


if __name__ == "__main__":
    unittest.main()
