"""The referral lifecycle: legal and illegal moves, holds, reasons, appointments,
closing the loop, idempotent moves, and the FHIR mapping."""

import datetime as dt
import unittest

import referral
from referral import ReferralState as S
from referral import core
from support import DAY, T0, MemoryBackend, ReferralFixture, SqliteBackend

UTC = dt.timezone.utc
HOUR = 3600
UNKNOWN_ID = "0190a1b2-0000-7000-8000-000000000000"

# Task.status and businessStatus for every state (HL7 FHIR R4 Task, BSeR / 360X).
FHIR = {
    S.RECEIVED: ("received", "received"),
    S.NEEDS_INFO: ("received", "needs-information"),
    S.ACCEPTED: ("accepted", "accepted"),
    S.SCHEDULED: ("in-progress", "appointment-scheduled"),
    S.NO_SHOW: ("in-progress", "no-show"),
    S.APPT_CANCELLED: ("in-progress", "appointment-cancelled"),
    S.SEEN: ("in-progress", "seen"),
    S.CLOSED: ("completed", "closed"),
    S.CANCEL_REQUESTED: ("in-progress", "cancellation-requested"),
    S.CANCELLED: ("cancelled", "cancelled"),
    S.DECLINED: ("rejected", "declined"),
    S.LOST: ("failed", "lost-to-follow-up"),
    S.ON_HOLD: ("on-hold", "on-hold"),
    S.ENTERED_IN_ERROR: ("entered-in-error", "entered-in-error"),
}

# The table of referral.h: from → legal next states (besides ON_HOLD and ENTERED_IN_ERROR).
TABLE = {
    S.RECEIVED: {S.NEEDS_INFO, S.ACCEPTED, S.DECLINED, S.CANCEL_REQUESTED},
    S.NEEDS_INFO: {S.RECEIVED, S.ACCEPTED, S.DECLINED, S.CANCEL_REQUESTED},
    S.ACCEPTED: {S.SCHEDULED, S.DECLINED, S.CANCEL_REQUESTED, S.LOST},
    S.SCHEDULED: {S.SCHEDULED, S.NO_SHOW, S.APPT_CANCELLED, S.SEEN, S.CANCEL_REQUESTED},
    S.NO_SHOW: {S.SCHEDULED, S.CANCEL_REQUESTED, S.LOST},
    S.APPT_CANCELLED: {S.SCHEDULED, S.CANCEL_REQUESTED, S.LOST},
    S.SEEN: {S.SEEN, S.SCHEDULED, S.CLOSED},
    S.CANCEL_REQUESTED: {S.CANCELLED, S.CLOSED},
}
TERMINAL = {S.CLOSED, S.DECLINED, S.CANCELLED, S.LOST, S.ENTERED_IN_ERROR}


class StateTest(unittest.TestCase):
    """The pure state helpers need no store."""

    def test_fhir_mapping(self):
        for state, expected in FHIR.items():
            with self.subTest(state=state):
                self.assertEqual(referral.fhir_status(state), expected)
                self.assertEqual(referral.fhir_status(state.name.lower()), expected)
                self.assertEqual(referral.fhir_status(int(state)), expected)
                self.assertEqual(state.fhir, expected)
        self.assertEqual(list(core.rf_referral_state_fhir(core.RF_REFERRAL_SCHEDULED)),
                         ["in-progress", "appointment-scheduled"])

    def test_fhir_of_unknown_states(self):
        for bad in ("unset", "BOOKED", 0, 15, -1):
            with self.subTest(state=bad):
                with self.assertRaises(referral.InvalidArgument) as cm:
                    referral.fhir_status(bad)
                self.assertEqual(cm.exception.code, -5)
        with self.assertRaises(referral.InvalidArgument) as cm:
            core.rf_referral_state_fhir(0)
        self.assertIn("0 is not a referral state", cm.exception.message)
        self.assertEqual(cm.exception.error_class, core.RF_ERRCLASS_REFERRAL)
        self.assertRaises(TypeError, referral.fhir_status, None)

    def test_the_move_table(self):
        for a in S:
            for b in S:
                if b is S.ENTERED_IN_ERROR:
                    expected = a is not S.ENTERED_IN_ERROR
                elif b is S.ON_HOLD:
                    expected = a not in TERMINAL and a is not S.ON_HOLD
                else:
                    expected = b in TABLE.get(a, set())
                with self.subTest(move=f"{a}->{b}"):
                    self.assertIs(referral.state_can_move(a, b), expected)
        self.assertTrue(referral.state_can_move("received", "Accepted"))
        self.assertTrue(S.SEEN.can_move("closed"))
        self.assertFalse(referral.state_can_move(core.RF_REFERRAL_CLOSED, core.RF_REFERRAL_RECEIVED))
        self.assertRaises(referral.InvalidArgument, referral.state_can_move, "received", "booked")

    def test_terminal_states(self):
        for state in S:
            with self.subTest(state=state):
                self.assertIs(referral.is_terminal(state), state in TERMINAL)
                self.assertIs(state.is_terminal, state in TERMINAL)
        self.assertTrue(referral.is_terminal("entered-in-error"))

    def test_names_match_the_library(self):
        for state in S:
            self.assertEqual(core.rf_referral_state_name(int(state)), state.name)
        self.assertEqual(core.rf_referral_state_name(0), "UNSET")
        for status in referral.ReferrerStatus:
            self.assertEqual(core.rf_referrer_status_name(int(status)), status.name)
        for cls, name_of in ((referral.Source, core.rf_referral_source_name),
                             (referral.CareLevel, core.rf_care_level_name),
                             (referral.Urgency, core.rf_urgency_name),
                             (referral.Direction, core.rf_direction_name)):
            for member in cls:
                self.assertEqual(name_of(int(member)), member.name)
        self.assertEqual(core.RF_REFERRAL_STATE_COUNT, len(S) + 1)
        self.assertEqual({int(f) for f in referral.FraudFlag}, {1, 2, 4, 8, 16})


class LifecycleCases(ReferralFixture):
    def setUp(self):
        super().setUp()
        self.ref = self.refer(self.sam, code="jane-doe")

    def test_happy_path_closes_the_loop(self):
        ref = self.ref
        seq = self.store.journal_last_seq()
        appointment = dt.datetime(2026, 3, 9, 10, 30, tzinfo=UTC)
        self.store.advance(HOUR)
        self.assertIs(ref.advance("accepted"), ref)
        self.assertEqual(ref.fhir, ("accepted", "accepted"))
        self.store.advance(HOUR)
        ref.advance(S.SCHEDULED, appointment_at=appointment)
        self.assertEqual(ref.appointment_at, T0 + 8 * DAY + 10 * HOUR + 1800)
        self.assertEqual(ref.appointment_at_dt, appointment)
        self.assertEqual(ref.first_appointment_at, ref.appointment_at)
        self.assertEqual(ref.fhir, ("in-progress", "appointment-scheduled"))
        self.store.set_time(appointment)
        ref.advance(core.RF_REFERRAL_SEEN)
        self.assertEqual(ref.visits, 1)
        self.store.advance(DAY)
        ref.advance("Closed")
        self.assertEqual(ref.state, "CLOSED")
        self.assertTrue(ref.is_terminal)
        self.assertEqual(ref.fhir, ("completed", "closed"))
        seen_at = T0 + 8 * DAY + 10 * HOUR + 1800
        self.assertEqual(ref.reached_at, {S.RECEIVED: T0, S.ACCEPTED: T0 + HOUR, S.SCHEDULED: T0 + 2 * HOUR,
                                          S.SEEN: seen_at, S.CLOSED: seen_at + DAY})
        self.assertEqual(ref.to_dict()["reached_at"]["CLOSED"], seen_at + DAY)
        self.assertEqual(ref.updated_at, seen_at + DAY)
        self.assertEqual(self.store.referrals.get(ref.id), ref)

        sam = self.store.parties.get(self.sam.id)  # the referee became a client
        self.assertEqual(sam.kind, "CLIENT")
        self.assertEqual(sam.first_visit_at, seen_at)
        self.assertEqual(list(self.store.codes.list(sam)), [])  # this programme issues no codes

        events = [(e.type, e.subject_id, e.object_id, e.data) for e in self.store.journal(after=seq)]
        moves = ["from=RECEIVED;to=ACCEPTED", "from=ACCEPTED;to=SCHEDULED", "from=SCHEDULED;to=SEEN",
                 "from=SEEN;to=CLOSED"]
        self.assertEqual(events[:4], [(core.RF_EVENT_REFERRAL_ADVANCED, ref.id, self.jane.id, m) for m in moves])
        self.assertEqual([(t, s) for t, s, _, _ in events[4:]], [(core.RF_EVENT_PARTY_UPDATED, self.sam.id)])

    def test_closing_issues_a_code_when_the_programme_says_so(self):
        prog = self.store.programs.create(name="Auto codes", auto_issue_code=True, code_style="short")
        ann = self.lead("Ann Able")
        ref = self.walk(self.refer(ann, program=prog, referrer=self.jane), "ACCEPTED", "SCHEDULED", "SEEN",
                        "CLOSED")
        self.assertEqual(ref.state, "CLOSED")
        codes = list(self.store.codes.list(ann))
        self.assertEqual(len(codes), 1)
        self.assertEqual(codes[0].style, "SHORT")
        self.assertEqual(codes[0].program_id, prog.id)

    def test_reschedules_no_shows_and_further_visits(self):
        ref = self.walk(self.ref, "ACCEPTED", "SCHEDULED")
        first = ref.appointment_at
        scheduled_at = ref.reached_at[S.SCHEDULED]
        self.store.advance(HOUR)
        ref.advance("scheduled", appointment_at=first + DAY)
        self.assertEqual((ref.reschedules, ref.appointment_at, ref.first_appointment_at), (1, first + DAY, first))
        self.assertEqual(ref.reached_at[S.SCHEDULED], scheduled_at)  # the first time is kept
        self.assertEqual(list(self.store.journal())[-1].data, "from=SCHEDULED;to=SCHEDULED;reschedules=1")
        self.walk(ref, "NO_SHOW", "SCHEDULED", "SEEN", "SEEN", "SCHEDULED", "SEEN")
        self.assertEqual((ref.no_shows, ref.visits, ref.reschedules), (1, 3, 1))
        self.assertEqual(ref.first_appointment_at, first)

    def test_illegal_moves_name_both_states_and_change_nothing(self):
        ref = self.ref
        before = ref.to_dict()
        for to in ("SEEN", "CLOSED", "SCHEDULED", "NO_SHOW", "RECEIVED"):
            with self.subTest(to=to):
                exc = self.assertRaisesUnchanged(referral.IllegalTransition, ref.advance, to,
                                                 appointment_at=T0 + DAY, reason="r")
                self.assertReferralError(exc, -7, ref.id, "RECEIVED", to)
                self.assertEqual(exc.error_class, core.RF_ERRCLASS_REFERRAL)
                self.assertEqual(ref.to_dict(), before)  # the object is unchanged too
        self.walk(ref, "DECLINED")
        for to in ("ACCEPTED", "RECEIVED", "ON_HOLD"):
            with self.subTest(to=to):
                exc = self.assertRaisesUnchanged(referral.IllegalTransition, ref.advance, to, reason="r")
                self.assertReferralError(exc, -7, "DECLINED", to)
        self.walk(ref, "ENTERED_IN_ERROR")  # reachable from anywhere, even a terminal state
        exc = self.assertRaisesUnchanged(referral.IllegalTransition, ref.advance, "ENTERED_IN_ERROR")
        self.assertReferralError(exc, -7, "ENTERED_IN_ERROR")

    def test_on_hold_then_resume(self):
        ref = self.walk(self.ref, "ACCEPTED")
        self.store.advance(HOUR)
        ref.advance("on_hold", reason="waiting for the insurer")
        self.assertEqual((ref.state, ref.held_state, ref.reason), ("ON_HOLD", "ACCEPTED", "waiting for the insurer"))
        self.assertEqual(ref.fhir, ("on-hold", "on-hold"))
        held_at = self.store.now
        # From ON_HOLD only the state it left (or ENTERED_IN_ERROR) is legal.
        exc = self.assertRaisesUnchanged(referral.IllegalTransition, ref.advance, "scheduled",
                                         appointment_at=T0 + 9 * DAY)
        self.assertReferralError(exc, -7, "ON_HOLD", "SCHEDULED", "ACCEPTED")
        self.store.advance(DAY)
        self.assertIs(ref.resume(), ref)
        self.assertEqual((ref.state, ref.held_state), ("ACCEPTED", None))
        self.assertEqual(ref.reached_at[S.ON_HOLD], held_at)
        self.assertEqual(list(self.store.journal())[-1].data, "from=ON_HOLD;to=ACCEPTED")
        exc = self.assertRaisesUnchanged(referral.IllegalTransition, ref.resume)
        self.assertReferralError(exc, -7, "ACCEPTED", "nothing to resume")
        # Resuming by naming the state it left works as well.
        self.walk(ref, "ON_HOLD")
        self.assertEqual(ref.advance("accepted").state, "ACCEPTED")

    def test_hold_can_be_entered_in_error(self):
        ref = self.walk(self.ref, "ON_HOLD", "ENTERED_IN_ERROR")
        self.assertEqual(ref.state, "ENTERED_IN_ERROR")
        self.assertIsNone(ref.held_state)

    def test_reason_and_appointment_required(self):
        ref = self.walk(self.ref, "ACCEPTED")
        for to in ("DECLINED", "LOST", "ON_HOLD"):
            for reason in (None, ""):
                with self.subTest(to=to, reason=reason):
                    exc = self.assertRaisesUnchanged(referral.InvalidArgument, ref.advance, to, reason=reason)
                    self.assertReferralError(exc, -5, "needs a reason", to)
        exc = self.assertRaisesUnchanged(referral.InvalidArgument, ref.advance, "scheduled")
        self.assertReferralError(exc, -5, "appointment_at")
        exc = self.assertRaisesUnchanged(referral.InvalidArgument, ref.advance, "declined", reason="r" * 501)
        self.assertReferralError(exc, -5, "reason")
        self.walk(ref, "CANCEL_REQUESTED")
        exc = self.assertRaisesUnchanged(referral.InvalidArgument, ref.advance, "cancelled")
        self.assertReferralError(exc, -5, "needs a reason", "CANCELLED")
        self.assertEqual(ref.advance("cancelled", reason="moved away").reason, "moved away")

    def test_bad_arguments(self):
        ref = self.ref
        exc = self.assertRaisesUnchanged(referral.InvalidArgument, ref.advance, "booked")
        self.assertEqual(exc.code, -5)
        self.assertRaisesUnchanged(TypeError, ref.advance, "scheduled", appointment_at="tomorrow")
        self.assertRaisesUnchanged(TypeError, ref.advance, None)
        exc = self.assertRaisesUnchanged(referral.NotFound, self.store.referrals.advance, UNKNOWN_ID, "accepted")
        self.assertReferralError(exc, -3, UNKNOWN_ID)
        exc = self.assertRaisesUnchanged(referral.NotFound, self.store.referrals.resume, UNKNOWN_ID)
        self.assertReferralError(exc, -3, UNKNOWN_ID)

    def test_idempotent_advance(self):
        ref = self.ref
        first = self.store.referrals.advance(ref, "accepted", idempotency_key="acc-1")
        seq = self.store.journal_last_seq()
        self.store.advance(HOUR)
        again = self.store.referrals.advance(ref.id, "accepted", idempotency_key="acc-1")
        self.assertEqual(again, first)
        self.assertEqual(self.store.journal_last_seq(), seq)
        exc = self.assertRaisesUnchanged(referral.Conflict, self.store.referrals.advance, ref, "declined",
                                         reason="r", idempotency_key="acc-1")
        self.assertReferralError(exc, -6, "acc-1")
        # Without a key, the same move again is a move from ACCEPTED to ACCEPTED: illegal.
        self.assertRaisesUnchanged(referral.IllegalTransition, ref.advance, "accepted")

    def test_idempotent_resume(self):
        ref = self.walk(self.ref, "ACCEPTED", "ON_HOLD")
        resumed = self.store.referrals.resume(ref, idempotency_key="res-1")
        self.assertEqual(resumed.state, "ACCEPTED")
        seq = self.store.journal_last_seq()
        again = self.store.referrals.resume(ref, idempotency_key="res-1")
        self.assertEqual(again, resumed)
        self.assertEqual(self.store.journal_last_seq(), seq)

    def test_resume_with_a_fresh_key_when_not_on_hold_changes_nothing(self):
        ref = self.walk(self.ref, "ACCEPTED", "SCHEDULED", "SEEN")
        exc = self.assertRaisesUnchanged(referral.IllegalTransition, ref.resume, idempotency_key="fresh")
        self.assertReferralError(exc, -7, "nothing to resume")

    def test_entered_in_error_frees_the_attribution(self):
        self.walk(self.ref, "ENTERED_IN_ERROR")
        again = self.refer(self.sam, referrer=self.john)
        self.assertEqual(again.referrer_id, self.john.id)

    def test_outbound_close_keeps_the_referee(self):
        out = self.walk(self.refer(self.jane, direction="outbound", target=self.gp), "ACCEPTED", "SCHEDULED",
                        "SEEN", "CLOSED")
        self.assertEqual(out.state, "CLOSED")
        self.assertEqual(self.store.parties.get(self.jane.id), self.jane)


class MemoryLifecycleTest(MemoryBackend, LifecycleCases, unittest.TestCase):
    pass


class SqliteLifecycleTest(SqliteBackend, LifecycleCases, unittest.TestCase):
    pass


if __name__ == "__main__":
    unittest.main()
