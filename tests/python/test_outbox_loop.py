"""Closing the loop through Python: the tasks a referral's arrival and moves
write (thanks, partner updates, status notices, the referee intro sequence and
its cancellation), first-response SLA breaches, reward notices and tier nudges."""

import unittest

from referral import TaskKind, TaskState, core
from support import DAY, T0, MemoryBackend, OutboxFixture, SqliteBackend

HOUR = 3600


class LoopCases(OutboxFixture):
    def kinds(self, **flt):
        return [t.kind.name for t in self.tasks(**flt)]

    def partner_referral(self, name="Sam Two", consent=("contact",), **kwargs):
        """A referral from the GP of a new lead (who may be contacted unless consent=())."""
        return self.refer(self.lead(name, consent=set(consent)), referrer=self.gp, source="partner", **kwargs)

    # --- a partner's referral ------------------------------------------------------------------

    def test_partner_referral_gets_thanks_and_three_updates(self):
        seq = self.store.journal_last_seq()
        ref = self.partner_referral()
        [thanks] = self.tasks(kind="thank_referrer")
        self.assertEqual((thanks.party_id, thanks.referral_id, thanks.program_id),
                         (self.gp.id, ref.id, self.program.id))
        self.assertEqual((thanks.key, thanks.template, thanks.channel), (f"thank:{ref.id}", "thank_referrer",
                                                                         "IN_PERSON"))
        self.assertEqual((thanks.due_at, thanks.deadline_at, thanks.data), (T0, T0 + 48 * HOUR, None))
        intros = self.tasks(kind=TaskKind.REFEREE_INTRO)
        self.assertEqual([(t.key, t.template, t.data, t.due_at, t.deadline_at, t.party_id) for t in intros],
                         [(f"intro{n}:{ref.id}", f"referee_intro.{n}", f"step={n}", T0 + days * DAY, None,
                           ref.referee_id) for n, days in ((1, 0), (2, 3), (3, 7))])
        created = self.journal_since(seq, core.RF_EVENT_TASK_CREATED)
        self.assertEqual([(e.subject_id, e.object_id, e.data) for e in created],
                         [(thanks.id, self.gp.id, "kind=THANK_REFERRER")]
                         + [(t.id, ref.referee_id, f"kind=REFEREE_INTRO;step={n}") for n, t in enumerate(intros, 1)])

        self.walk(ref, "ACCEPTED", "SCHEDULED", "SEEN", "CLOSED")
        self.assertEqual(self.kinds(party=self.gp),
                         ["THANK_REFERRER", "PARTNER_SCHEDULED", "PARTNER_VISIT_SUMMARY", "PARTNER_CLOSURE"])
        updates = self.tasks(party=self.gp)[1:]
        self.assertEqual([t.template for t in updates],
                         ["partner.scheduled", "partner.visit_summary", "partner.closure"])
        self.assertEqual([t.deadline_at - t.due_at for t in updates], [48 * HOUR] * 3)
        self.assertEqual([t.due_at for t in updates], [T0 + 2 * HOUR, T0 + 3 * HOUR, T0 + 4 * HOUR])
        # Booked: the intro sequence stops.
        self.assertEqual([(t.state.name, t.closed_at) for t in self.tasks(kind="referee_intro")],
                         [("CANCELLED", T0 + 2 * HOUR)] * 3)
        # Answered within the SLA: no breach, however long the outbox runs.
        self.store.advance(10 * DAY)
        self.drain()
        self.assertEqual(self.tasks(kind="sla_breach"), [])

    def test_updates_go_out_once(self):
        ref = self.partner_referral(consent=())
        self.assertEqual(self.kinds(), ["THANK_REFERRER"])  # a referee who may not be contacted gets no intro
        self.walk(ref, "ACCEPTED", "SCHEDULED", "SCHEDULED", "NO_SHOW", "SCHEDULED")
        self.assertEqual(self.kinds(), ["THANK_REFERRER", "PARTNER_SCHEDULED"])

    # --- the referee intro sequence -------------------------------------------------------------

    def test_intro_sequence_stops_when_the_referee_books(self):
        ref = self.partner_referral()
        for task in self.drain():                            # the thanks and the first intro go out
            self.store.outbox.sent(task)
        seq = self.store.journal_last_seq()
        self.walk(ref, "ACCEPTED", "SCHEDULED")
        intros = self.tasks(kind="referee_intro")
        self.assertEqual([t.state for t in intros], [TaskState.SENT, TaskState.CANCELLED, TaskState.CANCELLED])
        cancelled = self.journal_since(seq, core.RF_EVENT_TASK_CANCELLED)
        self.assertEqual([(e.subject_id, e.data) for e in cancelled],
                         [(intros[1].id, "reason=booked"), (intros[2].id, "reason=booked")])
        self.store.advance(8 * DAY)
        self.assertEqual([t.kind for t in self.drain()], ["PARTNER_SCHEDULED"])

    def test_an_intro_handed_out_is_left_to_its_holder(self):
        ref = self.partner_referral()
        [intro] = self.drain(kind="referee_intro")
        self.walk(ref, "ACCEPTED", "SCHEDULED", step=60)     # within the lease
        held = self.store.outbox.get(intro)
        self.assertIs(held.state, TaskState.PENDING)
        self.assertEqual(self.store.outbox.sent(intro).state, "SENT")
        self.assertEqual([t.state.name for t in self.tasks(kind="referee_intro")],
                         ["SENT", "CANCELLED", "CANCELLED"])

    def test_intro_sequence_stops_when_the_referral_ends(self):
        paths = {"DECLINED": [], "CANCELLED": ["CANCEL_REQUESTED"], "LOST": ["ACCEPTED"], "ENTERED_IN_ERROR": []}
        for end, before in paths.items():
            with self.subTest(end=end):
                ref = self.partner_referral(name=f"Lead {end}")
                seq = self.store.journal_last_seq()
                for state in before + [end]:
                    self.store.advance(60)
                    ref.advance(state, reason="test")
                self.assertEqual([t.state.name for t in self.tasks(referral=ref, kind="referee_intro")],
                                 ["CANCELLED"] * 3)
                self.assertEqual({e.data for e in self.journal_since(seq, core.RF_EVENT_TASK_CANCELLED)},
                                 {"reason=referral_ended"})

    # --- a client referrer -------------------------------------------------------------------------

    def test_client_referrer_gets_status_notices_with_consent(self):
        self.store.parties.update(self.jane, consent={"contact"})
        ref = self.refer(self.lead("Sam Two"), code="jane-doe")
        self.walk(ref, "ACCEPTED", "SCHEDULED", "SEEN", "CLOSED")
        tasks = self.tasks(party=self.jane)
        self.assertEqual([(t.kind.name, t.data, t.template, t.channel) for t in tasks],
                         [("THANK_REFERRER", None, "thank_referrer", "EMAIL"),
                          ("STATUS_NOTICE", "state=SCHEDULED", "status_notice", "EMAIL"),
                          ("STATUS_NOTICE", "state=CLOSED", "status_notice", "EMAIL")])
        self.assertEqual([t.key for t in tasks[1:]], [f"status_scheduled:{ref.id}", f"status_closed:{ref.id}"])
        # John never consented to be contacted: nothing is written for him.
        quiet = self.refer(self.lead("Ann Two"), code="john-roe")
        self.walk(quiet, "ACCEPTED", "SCHEDULED", "SEEN", "CLOSED")
        self.assertEqual(self.tasks(party=self.john), [])

    # --- first-response SLA --------------------------------------------------------------------------

    def test_sla_breach_when_not_answered_in_time(self):
        ref = self.partner_referral(consent=(), practitioner=self.dr)
        self.store.advance(48 * HOUR - 1)
        self.drain()
        self.assertEqual(self.tasks(kind="sla_breach"), [])
        self.store.advance(1)
        seq = self.store.journal_last_seq()
        [breach] = self.drain(kind="sla_breach")
        self.assertEqual((breach.party_id, breach.referral_id, breach.program_id),
                         (self.dr.id, ref.id, self.program.id))
        self.assertEqual((breach.key, breach.template, breach.channel), (f"sla:{ref.id}", "sla_breach", None))
        self.assertEqual(breach.data, f"urgency=ROUTINE;due={T0 + 48 * HOUR}")
        self.assertEqual(breach.details, {"urgency": "ROUTINE", "due": str(T0 + 48 * HOUR)})
        raised = self.journal_since(seq, core.RF_EVENT_SLA_BREACHED)
        self.assertEqual([(e.subject_id, e.object_id, e.data) for e in raised], [(ref.id, self.dr.id, breach.data)])
        # Once only, and answering late does not take it back.
        self.store.advance(DAY)
        self.drain()
        self.walk(ref, "ACCEPTED")
        self.drain()
        self.assertEqual([t.id for t in self.tasks(kind="sla_breach")], [breach.id])
        self.assertEqual(len(self.journal_since(seq, core.RF_EVENT_SLA_BREACHED)), 1)

    def test_urgent_referrals_and_the_programme_s_hours(self):
        urgent = self.partner_referral("Urgent", consent=(), urgency="urgent")
        answered = self.partner_referral("Answered", consent=(), urgency="urgent")
        held = self.partner_referral("Held", consent=(), urgency="urgent")
        self.walk(answered, "NEEDS_INFO", step=60)
        self.walk(held, "ON_HOLD", step=60)
        self.store.advance(3 * HOUR)
        self.drain()
        self.assertEqual(self.tasks(kind="sla_breach"), [])
        self.store.advance(HOUR)
        self.drain()
        breaches = self.tasks(kind="sla_breach")
        self.assertEqual(sorted(t.referral_id for t in breaches), sorted([urgent.id, held.id]))
        self.assertEqual({t.party_id for t in breaches}, {None})  # no practitioner: the practice itself
        self.assertEqual({t.details["urgency"] for t in breaches}, {"URGENT"})

        self.store.programs.update(self.program, sla_routine_hours=1)
        routine = self.partner_referral("Routine", consent=())
        declined = self.partner_referral("Declined", consent=())
        self.walk(declined, "DECLINED", step=60)
        outbound = self.refer(self.john, direction="outbound", target=self.gp)
        self.store.advance(HOUR)
        self.drain()
        late = {t.referral_id for t in self.tasks(kind="sla_breach")}
        self.assertIn(routine.id, late)
        self.assertNotIn(declined.id, late)
        self.assertNotIn(outbound.id, late)

    # --- rewards ---------------------------------------------------------------------------------------

    def test_reward_notices(self):
        self.store.parties.update(self.jane, consent={"contact"})
        self.store.rewards.add_rule(self.program, "Credit", "referrer", "account_credit", amount=2500,
                                    currency="EUR")
        ref = self.walk(self.refer(self.lead("Sam Two"), code="jane-doe"), "ACCEPTED", "SCHEDULED", "SEEN",
                        "CLOSED")
        [grant] = list(self.store.rewards.grants(referral=ref))
        [notice] = self.tasks(kind="reward_notice")
        self.assertEqual((notice.party_id, notice.referral_id, notice.key, notice.template),
                         (self.jane.id, ref.id, f"reward:{grant.id}", "reward_notice"))
        self.assertEqual(notice.details, {"grant": grant.id, "status": "RELEASED"})

        self.store.rewards.add_rule(self.program, "Held gift", "referee", "gift", item="Massage oil",
                                    hold_days=14)
        referee = self.lead("Ann Two", consent={"contact"})
        held_ref = self.walk(self.refer(referee, code="jane-doe"), "ACCEPTED", "SCHEDULED", "SEEN", "CLOSED")
        [gift] = [g for g in self.store.rewards.grants(referral=held_ref) if g.recipient_id == referee.id]
        [held] = self.tasks(party=referee, kind="reward_notice")
        self.assertEqual((held.key, held.template, held.details["status"]),
                         (f"reward_held:{gift.id}", "reward_notice.held", "PENDING"))
        self.store.advance(14 * DAY)
        self.store.rewards.process()
        self.assertEqual([(t.key, t.template) for t in self.tasks(party=referee, kind="reward_notice")],
                         [(f"reward_held:{gift.id}", "reward_notice.held"), (f"reward:{gift.id}", "reward_notice")])

    def test_tier_nudge_one_referral_before_the_next_tier(self):
        self.store.parties.update(self.jane, consent={"contact"})
        self.store.rewards.add_rule(self.program, "Thanks", "referrer", "thank_you_note")
        self.store.rewards.add_rule(self.program, "Gold", "referrer", "gift", item="Hamper", tier=3)
        for i in range(3):
            self.walk(self.refer(self.lead(f"Lead {i}"), code="jane-doe"), "ACCEPTED", "SCHEDULED", "SEEN",
                      "CLOSED")
        [nudge] = self.tasks(kind="tier_nudge")
        self.assertEqual((nudge.party_id, nudge.key, nudge.template, nudge.data),
                         (self.jane.id, f"nudge:{self.program.id}:{self.jane.id}:3", "tier_nudge",
                          "count=2;next_tier=3"))


class MemoryLoopTest(MemoryBackend, LoopCases, unittest.TestCase):
    pass


class SqliteLoopTest(SqliteBackend, LoopCases, unittest.TestCase):
    pass


if __name__ == "__main__":
    unittest.main()
