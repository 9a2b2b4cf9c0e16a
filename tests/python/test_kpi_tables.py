"""store.kpis.table / store.kpis.dashboard and the report's newer figures:
a small A/B story whose funnel, leaderboard, channel table, variant lift and
z-test p-value are worked out by hand below; not defined is None; refused
filters and kinds change nothing."""

import json
import math
import unittest

import referral
from referral import KpiColumn, KpiDashboard, KpiTable, KpiTableKind
from support import DAY, T0, MemoryBackend, ReferralFixture, SqliteBackend

HOUR = 3600
PERIOD = (T0, T0 + 30 * DAY)


def two_proportion_p(x1, n1, x2, n2):
    """Two-sided p-value of the pooled two-proportion z-test, by the textbook formula."""
    pooled = (x1 + x2) / (n1 + n2)
    z = (x1 / n1 - x2 / n2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return math.erfc(abs(z) / math.sqrt(2))


class KpiTableCases(ReferralFixture):
    def setUp(self):
        super().setUp()
        store = self.store
        self.advocates = store.programs.create(name="Advocates", exclude_existing_clients=False,
                                               fraud_action="flag")
        store.set_time(T0 + HOUR)
        # Jane refers six (3 "control", 3 "warm"); John refers two by e-mail. Nobody consented to be named
        # except John (set below), so Jane shows as initials.
        self.refs = []
        for i in range(6):
            variant = "control" if i < 3 else "warm"
            self.refs.append(self.refer(self.lead(f"Lead {i}"), self.advocates, code=self.code, variant=variant,
                                        channel="sms"))
        for i in range(2):
            self.refs.append(self.refer(self.lead(f"Mail {i}"), self.advocates, referrer=self.john, source="manual",
                                        channel="email", variant="warm"))
        self.store.parties.update(self.john, consent={"named"})
        # Control: one of three closes; warm: three of five close. The walks run one after another, an
        # hour a step, so the SMS referrals are scheduled 2, 6, 10 and 18 hours after receipt.
        for ref in [self.refs[0], self.refs[3], self.refs[4], self.refs[6]]:
            self.walk(ref, "ACCEPTED", "SCHEDULED", "SEEN", "CLOSED")
        self.walk(self.refs[1], "ACCEPTED", "SCHEDULED")
        self.walk(self.refs[2], "DECLINED")
        self.store.set_time(T0 + 20 * DAY)

    def test_funnel_steps_and_conversions(self):
        funnel = self.store.kpis.table("funnel", *PERIOD)
        self.assertIsInstance(funnel, KpiTable)
        self.assertEqual(funnel.kind, KpiTableKind.FUNNEL)
        self.assertEqual(funnel.columns, (KpiColumn.COUNT, KpiColumn.CONVERSION))
        self.assertEqual([r.key for r in funnel],
                         ["asks", "shares", "clicks", "leads", "scheduled", "seen", "closed"])
        counts = {r.key: r.count for r in funnel}
        self.assertEqual(counts, {"asks": 0, "shares": 0, "clicks": 0, "leads": 8, "scheduled": 5,
                                  "seen": 4, "closed": 4})
        self.assertIsNone(funnel[0].conversion)  # the first step has nothing before it
        self.assertIsNone(funnel.row("shares").conversion)  # 0 of 0 asks: not defined, not 0.0
        self.assertIsNone(funnel.row("leads").conversion)  # 8 of 0 clicks
        self.assertEqual(funnel.row("scheduled").conversion, 5 / 8)
        self.assertEqual((funnel.row("seen").numerator("conversion"), funnel.row("seen").denominator("conversion")),
                         (4, 5))
        report = self.store.kpis(*PERIOD)
        self.assertEqual(counts["leads"], report.received)

    def test_leaderboard_names_only_with_consent(self):
        board = self.store.kpis.table(KpiTableKind.LEADERBOARD, *PERIOD)
        self.assertEqual([(r.key, r.label, r.count, r.closed) for r in board],
                         [(self.jane.id, "J. D.", 6, 3), (self.john.id, "John Roe", 2, 1)])
        self.assertEqual(len(self.store.kpis.table("leaderboard", *PERIOD, top=1)), 1)

    def test_channels_add_up_to_the_cohort(self):
        channels = self.store.kpis.table("channels", *PERIOD)
        self.assertEqual([r.key for r in channels], ["SMS", "EMAIL"])
        sms = channels.row("SMS")
        # Nearest rank: the median of 2, 6, 10, 18 h is rank ceil(0.5 * 4) = 2.
        self.assertEqual((sms.count, sms.conversion, sms.to_schedule_p50), (6, 3 / 6, 6 * HOUR))
        self.assertEqual(sum(r.count for r in channels), self.store.kpis(*PERIOD).received)
        self.assertIsNone(sms.revenue)  # money needs a currency
        self.assertEqual(self.store.kpis.table("channels", *PERIOD, currency="EUR").row("SMS").revenue, 0)

    def test_variants_lift_and_p_value(self):
        variants = self.store.kpis.table("variants", *PERIOD)
        control, warm = variants
        self.assertEqual((control.key, control.count, control.closed, control.conversion), ("control", 3, 1, 1 / 3))
        self.assertIsNone(control.lift)
        self.assertIsNone(control.p_value)
        self.assertEqual((warm.key, warm.count, warm.closed), ("warm", 5, 3))
        self.assertAlmostEqual(warm.lift, (3 / 5) / (1 / 3) - 1, places=12)
        self.assertAlmostEqual(warm.p_value, two_proportion_p(3, 5, 1, 3), places=12)
        # Another control, named by the filter.
        flipped = self.store.kpis.table("variants", *PERIOD, control_variant="warm")
        self.assertEqual([r.key for r in flipped], ["warm", "control"])
        self.assertAlmostEqual(flipped[1].lift, (1 / 3) / (3 / 5) - 1, places=12)

    def test_dashboard_and_to_dict(self):
        dashboard = self.store.kpis.dashboard(*PERIOD, currency="EUR")
        self.assertIsInstance(dashboard, KpiDashboard)
        self.assertEqual(set(dashboard.tables), set(KpiTableKind))
        self.assertEqual(dashboard.funnel.row("closed").count, 4)
        d = dashboard.to_dict()
        json.dumps(d)  # plain data all the way down
        self.assertEqual(d["report"]["figures"]["received"]["value"], 8)
        self.assertEqual(d["tables"]["variants"]["rows"][0]["key"], "control")
        self.assertIsNone(d["tables"]["variants"]["rows"][0]["cells"]["lift"]["value"])
        self.assertEqual(d["tables"]["funnel"]["columns"], ["count", "conversion"])

    def test_money_figures_need_a_currency(self):
        without = self.store.kpis(*PERIOD)
        self.assertIsNone(without.reward_cost)
        self.assertIsNone(without.revenue_referred)
        self.assertIsNone(without.roi)
        with_eur = self.store.kpis(*PERIOD, currency="EUR")
        self.assertEqual((with_eur.reward_cost, with_eur.revenue_referred), (0, 0))
        self.assertIsNone(with_eur.roi)  # no cost: nothing to return on

    def test_refused_tables_and_filters_change_nothing(self):
        kpis = self.store.kpis
        self.assertRaisesUnchanged(referral.InvalidArgument, kpis, *PERIOD, currency="EURO")
        self.assertRaisesUnchanged(referral.InvalidArgument, kpis.table, "leaderboard", *PERIOD, top=1001)
        self.assertRaisesUnchanged(referral.InvalidArgument, kpis.table, "variants", *PERIOD, control_variant="")
        with self.assertRaises(ValueError):
            kpis.table("pie chart", *PERIOD)
        with self.assertRaises(AttributeError):
            kpis.table("funnel", *PERIOD)[0].lift  # the funnel has no LIFT column


class MemoryKpiTableTest(MemoryBackend, KpiTableCases, unittest.TestCase):
    pass


class SqliteKpiTableTest(SqliteBackend, KpiTableCases, unittest.TestCase):
    pass


if __name__ == "__main__":
    unittest.main()
