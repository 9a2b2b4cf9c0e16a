"""store.outbox: draining under a lease, the host's reports (sent, acked,
failed with back-off, cancel), listing, two stores draining one SQLite file,
the programme's ask and SLA settings, and the low-level SWIG calls."""

import unittest

import referral
from referral import TaskKind, TaskState, core
from support import DAY, T0, MemoryBackend, OutboxFixture, SqliteBackend

UNKNOWN_ID = "0190a1b2-0000-7000-8000-000000000000"
MINUTE = 60


class DrainFixture(OutboxFixture):
    def make_asks(self, count, prefix="Client"):
        """``count`` clients who may be contacted, each with one ASK due now; their tasks, oldest first."""
        parties = []
        for i in range(count):
            party = self.client(f"{prefix} {i}")
            self.store.events.add(party, "nps", value=10)
            parties.append(party)
        return [self.tasks(party=p)[0] for p in parties]


class DrainCases(DrainFixture):
    # --- handing out -----------------------------------------------------------------------

    def test_due_leases_each_task_once(self):
        made = self.make_asks(3)
        self.store.advance(MINUTE)
        seq = self.store.journal_last_seq()
        handed = self.drain()
        self.assertEqual([t.id for t in handed], [t.id for t in made])  # oldest first
        tokens = {t.lease_token for t in handed}
        self.assertEqual(len(tokens), 1)  # one drain, one token
        self.assertRegex(tokens.pop(), r"^[0-9a-f-]{36}$")
        for task in handed:
            self.assertIs(task.state, TaskState.PENDING)
            self.assertEqual((task.attempts, task.lease_until), (1, T0 + MINUTE + 300))
        self.assertEqual([(e.type, e.subject_id, e.data) for e in self.journal_since(seq)],
                         [(core.RF_EVENT_TASK_LEASED, t.id, "attempt=1") for t in made])
        self.assertEqual([(t.id, t.state, t.attempts, t.lease_until) for t in self.tasks()],
                         [(t.id, t.state, t.attempts, t.lease_until) for t in handed])  # as stored
        self.assertEqual(self.drain(), [])                       # leased: nobody else gets them
        self.store.advance(299)
        self.assertEqual(self.drain(), [])
        self.store.advance(1)                                    # the lease ended: handed out again
        again = self.drain()
        self.assertEqual([(t.id, t.attempts) for t in again], [(t.id, 2) for t in made])
        self.assertNotEqual(again[0].lease_token, handed[0].lease_token)
        exc = self.assertRaisesUnchanged(referral.Conflict, self.store.outbox.sent, handed[0])
        self.assertReferralError(exc, core.RF_ECONFLICT, handed[0].id)
        self.assertEqual(exc.error_class, core.RF_ERRCLASS_OUTBOX)

    def test_drain_options(self):
        made = self.make_asks(3)
        self.refer(self.lead("Sam Two"), referrer=self.gp, source="partner")
        handed = self.drain(limit=2, kind="ask", lease_seconds=10)
        self.assertEqual([t.id for t in handed], [t.id for t in made[:2]])
        self.assertEqual(handed[0].lease_until, T0 + 10)
        self.assertEqual([t.kind for t in self.drain(kind=TaskKind.THANK_REFERRER)], ["THANK_REFERRER"])
        self.assertEqual([t.id for t in self.drain()], [made[2].id])
        self.store.advance(10)
        self.assertEqual(len(self.drain(now=T0 + 5)), 0)        # as if it were earlier: still leased
        self.assertEqual(len(self.drain(now=T0 + 10)), 2)
        for kwargs in (dict(lease_seconds=9), dict(lease_seconds=86401), dict(limit=0), dict(limit=10001)):
            with self.subTest(kwargs=kwargs):
                exc = self.assertRaisesUnchanged(referral.InvalidArgument, self.store.outbox.due, **kwargs)
                self.assertReferralError(exc, core.RF_EINVALID, "drain options")
        self.assertRaisesUnchanged(referral.InvalidArgument, self.store.outbox.due, lease_seconds=-1)
        self.assertRaisesUnchanged(referral.InvalidArgument, self.store.outbox.due, kind="postcard")
        self.assertRaisesUnchanged(TypeError, self.store.outbox.due, now="now")
        with self.assertRaises(referral.InvalidArgument):
            core.rf_tasks_due(self.store._h, None, {"kind": 11})

    def test_tasks_due_later_wait(self):
        self.refer(self.lead("Sam Two", consent={"contact"}), referrer=self.gp, source="partner")
        steps = []
        for advance in (0, 3 * DAY, 4 * DAY):
            self.store.advance(advance)
            handed = self.drain(kind="referee_intro")
            steps.append([t.details["step"] for t in handed])
            for task in handed:
                self.store.outbox.sent(task)
        self.assertEqual(steps, [["1"], ["2"], ["3"]])

    # --- reports ----------------------------------------------------------------------------

    def test_sent_then_acked(self):
        [task] = self.make_asks(1)
        [handed] = self.drain()
        self.store.advance(MINUTE)
        seq = self.store.journal_last_seq()
        sent = self.store.outbox.sent(handed)
        self.assertIs(sent.state, TaskState.SENT)
        self.assertEqual((sent.sent_at, sent.attempts, sent.closed_at), (T0 + MINUTE, 1, None))
        self.assertEqual([(e.type, e.subject_id, e.object_id, e.data) for e in self.journal_since(seq)],
                         [(core.RF_EVENT_TASK_SENT, task.id, task.party_id, "state=SENT;attempts=1")])
        seq = self.store.journal_last_seq()
        self.assertEqual(self.store.outbox.sent(task.id, handed.lease_token), sent)  # a repeat changes nothing
        self.assertEqual(self.store.journal_last_seq(), seq)
        self.store.advance(MINUTE)
        acked = self.store.outbox.acked(task.id)
        self.assertEqual((acked.state, acked.closed_at, acked.is_closed), ("ACKED", T0 + 2 * MINUTE, True))
        self.assertEqual([(e.type, e.data) for e in self.journal_since(seq)],
                         [(core.RF_EVENT_TASK_ACKED, "state=ACKED;attempts=1")])
        seq = self.store.journal_last_seq()
        self.assertEqual(self.store.outbox.acked(task), acked)
        self.assertEqual(self.store.journal_last_seq(), seq)
        self.assertEqual(self.drain(), [])

    def test_report_refusals(self):
        first, second = self.make_asks(2)
        exc = self.assertRaisesUnchanged(referral.IllegalTransition, self.store.outbox.acked, first)
        self.assertReferralError(exc, core.RF_ESTATE, first.id, "PENDING")
        # Listed, not handed out: no lease to report under.
        self.assertRaisesUnchanged(referral.InvalidArgument, self.store.outbox.sent, first)
        self.assertRaisesUnchanged(referral.Conflict, self.store.outbox.sent, first, "not-a-token")
        a, b = self.drain()
        self.assertRaisesUnchanged(referral.Conflict, self.store.outbox.sent, a.id, "not-a-token")
        self.assertRaisesUnchanged(referral.Conflict, self.store.outbox.failed, a.id, "boom", "not-a-token")
        self.store.outbox.sent(a)
        self.assertRaisesUnchanged(referral.IllegalTransition, self.store.outbox.failed, a, "late")
        self.store.outbox.acked(a)
        exc = self.assertRaisesUnchanged(referral.IllegalTransition, self.store.outbox.sent, a)
        self.assertReferralError(exc, core.RF_ESTATE, "ACKED")
        self.assertRaisesUnchanged(referral.IllegalTransition, self.store.outbox.cancel, a)
        self.store.advance(300)
        exc = self.assertRaisesUnchanged(referral.Conflict, self.store.outbox.sent, b)  # the lease ended
        self.assertReferralError(exc, core.RF_ECONFLICT, "lease")
        for call in (self.store.outbox.get, self.store.outbox.acked, self.store.outbox.cancel):
            with self.subTest(call=call.__name__):
                exc = self.assertRaisesUnchanged(referral.NotFound, call, UNKNOWN_ID)
                self.assertReferralError(exc, core.RF_ENOTFOUND, UNKNOWN_ID)
        self.assertRaisesUnchanged(referral.NotFound, self.store.outbox.sent, UNKNOWN_ID, "token")
        self.assertRaisesUnchanged(TypeError, self.store.outbox.get, None)
        self.assertRaisesUnchanged(referral.InvalidArgument, self.store.outbox.failed, b, "x" * 5000,
                                   b.lease_token)

    def test_failed_backs_off_then_fails_for_good(self):
        [task] = self.make_asks(1)
        backoffs = [MINUTE, 2 * MINUTE, 4 * MINUTE, 8 * MINUTE]
        for attempt, delay in enumerate(backoffs, start=1):
            with self.subTest(attempt=attempt):
                [handed] = self.drain()
                self.assertEqual(handed.attempts, attempt)
                seq = self.store.journal_last_seq()
                failed = self.store.outbox.failed(handed, f"smtp 451 (try {attempt})")
                self.assertIs(failed.state, TaskState.PENDING)
                self.assertEqual((failed.last_error, failed.due_at), (f"smtp 451 (try {attempt})",
                                                                      self.store.now + delay))
                self.assertEqual((failed.lease_token, failed.lease_until), (None, None))
                self.assertEqual([(e.type, e.data) for e in self.journal_since(seq)],
                                 [(core.RF_EVENT_TASK_FAILED, f"state=PENDING;attempts={attempt}")])
                self.store.advance(delay - 1)
                self.assertEqual(self.drain(), [])               # not before the back-off
                self.store.advance(1)
        [handed] = self.drain()
        self.assertEqual(handed.attempts, 5)
        gone = self.store.outbox.failed(handed)
        self.assertEqual((gone.state, gone.closed_at, gone.last_error), ("FAILED", self.store.now, None))
        self.assertEqual(self.tasks(state="failed"), [gone])
        self.store.advance(DAY)
        self.assertEqual(self.drain(), [])

    def test_cancel(self):
        sent, leased, pending = self.make_asks(3)
        handed = self.drain(limit=2)
        self.store.outbox.sent(handed[0])
        leased = handed[1]
        self.store.advance(MINUTE)
        for task in (pending, leased, sent):
            with self.subTest(task=task.id):
                seq = self.store.journal_last_seq()
                cancelled = self.store.outbox.cancel(task, "client moved away")
                self.assertEqual((cancelled.state, cancelled.closed_at, cancelled.lease_token),
                                 ("CANCELLED", T0 + MINUTE, None))
                self.assertEqual([e.type for e in self.journal_since(seq)], [core.RF_EVENT_TASK_CANCELLED])
                exc = self.assertRaisesUnchanged(referral.IllegalTransition, self.store.outbox.cancel, task)
                self.assertReferralError(exc, core.RF_ESTATE, "CANCELLED")
        self.assertRaisesUnchanged(referral.IllegalTransition, self.store.outbox.sent, leased)
        self.assertEqual(self.drain(), [])

    # --- listing --------------------------------------------------------------------------------

    def test_list_filters(self):
        asks = self.make_asks(2)
        ref = self.refer(self.lead("Sam Two", consent={"contact"}), referrer=self.gp, source="partner")
        outbox = self.store.outbox
        everything = list(outbox)
        self.assertEqual(len(everything), 6)
        self.assertEqual(everything[:2], asks)
        self.assertEqual(list(outbox.list(party=asks[1].party_id)), [asks[1]])
        self.assertEqual([t.kind for t in outbox.list(referral=ref)],
                         ["THANK_REFERRER", "REFEREE_INTRO", "REFEREE_INTRO", "REFEREE_INTRO"])
        self.assertEqual(len(list(outbox.list(referral=ref.id, kind="referee_intro"))), 3)
        self.assertEqual(list(outbox.list(party=self.gp, kind=TaskKind.THANK_REFERRER, state="pending")),
                         [everything[2]])
        self.assertEqual(list(outbox.list(state=TaskState.SENT)), [])
        self.assertEqual(list(outbox.list(party=UNKNOWN_ID)), [])
        self.assertRaises(referral.InvalidArgument, outbox.list, state="lost")
        with self.assertRaises(referral.InvalidArgument):
            core.rf_task_list(self.store._h, {"state": 7})
        with outbox.list() as it:
            self.assertEqual(next(it), asks[0])
        self.assertEqual([t.attempts for t in outbox.list()], [0] * 6)  # listing leases nothing
        self.assertIn("ASK", repr(asks[0]))

    # --- settings -------------------------------------------------------------------------------

    def test_ask_and_sla_settings_round_trip(self):
        defaults = self.program
        self.assertEqual(
            (defaults.ask_enabled, defaults.ask_nps_threshold, defaults.ask_after_first_visit_days,
             defaults.ask_on_anniversary, defaults.ask_on_milestone, defaults.ask_on_discharge,
             defaults.ask_on_praise, defaults.ask_on_payment, defaults.ask_cooldown_days, defaults.ask_yearly_cap,
             defaults.new_client_days, defaults.sla_urgent_hours, defaults.sla_routine_hours),
            (True, 9, 90, True, True, True, True, True, 90, 3, 180, 4, 48))
        settings = dict(ask_enabled=False, ask_nps_threshold=10, ask_after_first_visit_days=0,
                        ask_on_anniversary=False, ask_on_milestone=False, ask_on_discharge=False,
                        ask_on_praise=False, ask_on_payment=False, ask_cooldown_days=3650, ask_yearly_cap=52,
                        new_client_days=1, sla_urgent_hours=1, sla_routine_hours=720)
        prog = self.store.programs.create(name="Everything", **settings)
        for name, value in settings.items():
            self.assertEqual(getattr(prog, name), value, name)
            self.assertEqual(prog.to_dict()[name], value, name)
        self.assertEqual(self.store.programs.get(prog), prog)
        self.store.advance(DAY)
        seq = self.store.journal_last_seq()
        changed = self.store.programs.update(prog, ask_enabled=True, ask_yearly_cap=1, sla_urgent_hours=8)
        self.assertEqual((changed.ask_enabled, changed.ask_yearly_cap, changed.sla_urgent_hours), (True, 1, 8))
        self.assertIs(changed.ask_enabled, True)
        self.assertEqual(changed.sla_routine_hours, 720)
        self.assertEqual([e.data for e in self.journal_since(seq)],
                         ["fields=ask_enabled,ask_yearly_cap,sla_urgent_hours"])
        self.assertEqual(self.store.programs.get(prog.id), changed)
        for name, bad in [("ask_enabled", 2), ("ask_nps_threshold", 11), ("ask_after_first_visit_days", 3651),
                          ("ask_cooldown_days", 3651), ("ask_yearly_cap", 0), ("ask_yearly_cap", 53),
                          ("new_client_days", 0), ("sla_urgent_hours", 0), ("sla_routine_hours", 721)]:
            with self.subTest(name=name, bad=bad):
                exc = self.assertRaisesUnchanged(referral.InvalidArgument, self.store.programs.update, prog,
                                                 **{name: bad})
                self.assertReferralError(exc, core.RF_EINVALID, name)
                self.assertRaisesUnchanged(referral.InvalidArgument, self.store.programs.create,
                                           name="Refused", **{name: bad})
        self.assertRaisesUnchanged(referral.InvalidArgument, self.store.programs.update, prog, ask_nps_threshold=-1)
        self.assertRaisesUnchanged(TypeError, self.store.programs.update, prog, ask_on_praise="yes")
        self.assertRaisesUnchanged(TypeError, self.store.programs.update, prog, ask_on_prase=True)
        self.assertRaisesUnchanged(TypeError, self.store.programs.create, name="Typo", ask_on_prase=True)


class TwoStoreCases(DrainFixture):
    """Two Store objects on one SQLite file: two processes draining one outbox."""

    def test_two_drains_never_get_the_same_task(self):
        made = self.make_asks(12)
        other = self.open_store()
        self.addCleanup(other.close)
        mine = self.store.outbox.due(lease_seconds=60)
        theirs = other.outbox.due(lease_seconds=60)
        got = {"mine": [], "theirs": []}
        # Interleave the two drains: each next() re-reads its candidate under the write lock.
        for turn in range(30):
            name, it = ("mine", mine) if turn % 3 else ("theirs", theirs)
            task = next(it, None)
            if task is not None:
                got[name].append(task)
        self.assertEqual(next(mine, None), None)
        self.assertEqual(next(theirs, None), None)
        mine_ids = {t.id for t in got["mine"]}
        their_ids = {t.id for t in got["theirs"]}
        self.assertEqual(mine_ids & their_ids, set())
        self.assertEqual(mine_ids | their_ids, {t.id for t in made})
        self.assertEqual(len(got["mine"]) + len(got["theirs"]), 12)
        self.assertTrue(got["mine"] and got["theirs"])
        self.assertEqual(len({t.lease_token for t in got["mine"] + got["theirs"]}), 2)
        # Each holder reports under its own lease; the other's token is refused.
        task = got["theirs"][0]
        self.assertRaises(referral.Conflict, self.store.outbox.sent, task.id, got["mine"][0].lease_token)
        self.assertEqual(self.store.outbox.sent(task).state, "SENT")  # reported through either handle
        self.assertEqual(other.outbox.get(task).state, "SENT")
        # When a holder dies its tasks are handed out again once the lease ends.
        other.close()
        self.store.advance(60)
        back = self.drain()
        self.assertEqual({t.id for t in back}, {t.id for t in made} - {task.id})


class LowLevelOutboxCases(DrainFixture):
    def test_drain_iterator_keeps_its_store_alive(self):
        h = core.rf_store_open("memory:", {"seed": 11})
        party = core.rf_party_add(h, {"kind": core.RF_PARTY_CLIENT, "display_name": "Kim",
                                      "consent": core.RF_CONSENT_CONTACT})
        core.rf_program_create(h, {"name": "Advocates"})
        core.rf_client_event_add(h, {"party_id": core.rf_party_id(party), "type": core.RF_CLIENT_EVENT_PRAISE})
        it = core.rf_tasks_due(h, None, None)
        del h
        tasks = list(it)
        self.assertEqual([core.rf_task_get_kind(t) for t in tasks], [core.RF_TASK_ASK])
        self.assertEqual(core.rf_task_attempts(tasks[0]), 1)
        self.assertEqual(core.rf_task_kind_name(core.RF_TASK_SLA_BREACH), "SLA_BREACH")
        self.assertEqual(core.rf_task_state_name(core.RF_TASK_SUPPRESSED), "SUPPRESSED")
        self.assertEqual(core.rf_ask_outcome_name(core.RF_ASK_REFERRED), "REFERRED")
        self.assertEqual(core.rf_task_kind_name(99), "UNSET")
        for enum, name_of in ((TaskKind, core.rf_task_kind_name), (TaskState, core.rf_task_state_name),
                              (referral.AskOutcome, core.rf_ask_outcome_name)):
            for member in enum:
                self.assertEqual(name_of(int(member)), member.name)

    def test_closing_the_store_ends_its_drains(self):
        self.make_asks(2)
        it = self.store.outbox.due()
        first = next(it)
        self.store.close()                       # closing the store ends its drains
        self.assertEqual(list(it), [])
        self.assertEqual(first.attempts, 1)
        with self.assertRaisesRegex(TypeError, "lease_secs"):
            core.rf_tasks_due(core.rf_store_open("memory:", None), None, {"lease_secs": 10})


class MemoryDrainTest(MemoryBackend, DrainCases, unittest.TestCase):
    pass


class SqliteDrainTest(SqliteBackend, DrainCases, unittest.TestCase):
    pass


class SqliteTwoStoreTest(SqliteBackend, TwoStoreCases, unittest.TestCase):
    pass


class MemoryLowLevelOutboxTest(MemoryBackend, LowLevelOutboxCases, unittest.TestCase):
    pass


if __name__ == "__main__":
    unittest.main()
