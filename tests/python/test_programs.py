"""store.programs: create, get, find, update, list, idempotency and every refusal."""

import datetime as dt
import unittest

import referral
from referral import core
from support import DAY, T0, MemoryBackend, SqliteBackend, StoreFixture

UTC = dt.timezone.utc
UNKNOWN_ID = "0190a1b2-0000-7000-8000-000000000000"


class ProgramCases(StoreFixture):
    # --- success paths -------------------------------------------------------------

    def test_create_with_defaults(self):
        prog = self.store.programs.create(name="Client advocates")
        self.assertEqual(prog.name, "Client advocates")
        self.assertRegex(prog.id, r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$")
        self.assertEqual(prog.window_days, 90)
        self.assertIs(prog.attribution, referral.AttributionModel.LAST_TOUCH)
        self.assertEqual(prog.attribution, "LAST_TOUCH")
        self.assertIs(prog.exclude_existing_clients, True)
        self.assertIs(prog.code_style, referral.CodeStyle.VANITY)
        self.assertIs(prog.auto_issue_code, False)
        self.assertIs(prog.fraud_action, referral.FraudAction.BLOCK)
        self.assertEqual(prog.velocity_cap, 0)
        self.assertEqual(prog.velocity_window_days, 30)
        self.assertEqual(prog.created_at, T0)
        self.assertEqual(prog.updated_at, T0)
        self.assertEqual(prog.created_at_dt, dt.datetime(2026, 3, 1, tzinfo=UTC))
        events = list(self.store.journal())
        self.assertEqual([(e.type, e.subject_id, e.object_id) for e in events],
                         [(core.RF_EVENT_PROGRAM_CREATED, prog.id, None)])
        self.assertEqual(prog.to_dict(), {
            "id": prog.id, "name": "Client advocates", "window_days": 90, "attribution": "LAST_TOUCH",
            "exclude_existing_clients": True, "code_style": "VANITY", "auto_issue_code": False,
            "fraud_action": "BLOCK", "velocity_cap": 0, "velocity_window_days": 30, "clawback": False,
            "compliance_mode": False, "ask_enabled": True, "ask_nps_threshold": 9,
            "ask_after_first_visit_days": 90, "ask_on_anniversary": True, "ask_on_milestone": True,
            "ask_on_discharge": True, "ask_on_praise": True, "ask_on_payment": True, "ask_cooldown_days": 90,
            "ask_yearly_cap": 3, "new_client_days": 180, "sla_urgent_hours": 4, "sla_routine_hours": 48,
            "created_at": T0, "updated_at": T0})
        self.assertIn("Client advocates", repr(prog))

    def test_create_with_every_setting(self):
        prog = self.store.programs.create(
            name="GP partners", window_days=14, attribution="first_touch", exclude_existing_clients=False,
            code_style="SHORT", auto_issue_code=True, fraud_action="flag", velocity_cap=5,
            velocity_window_days=7, idempotency_key="gp-1")
        self.assertEqual((prog.window_days, prog.attribution, prog.exclude_existing_clients, prog.code_style,
                          prog.auto_issue_code, prog.fraud_action, prog.velocity_cap,
                          prog.velocity_window_days),
                         (14, "FIRST_TOUCH", False, "SHORT", True, "FLAG", 5, 7))
        self.assertEqual(next(iter(self.store.journal())).idempotency_key, "gp-1")

    def test_enum_settings_accept_names_members_and_ints(self):
        for i, value in enumerate(["First-Touch", referral.AttributionModel.FIRST_TOUCH,
                                   core.RF_ATTRIBUTION_FIRST_TOUCH]):
            with self.subTest(value=value):
                prog = self.store.programs.create(name=f"p{i}", attribution=value, fraud_action=2,
                                                  code_style=referral.CodeStyle.SHORT)
                self.assertEqual(prog.attribution, "FIRST_TOUCH")
                self.assertEqual(prog.fraud_action, "FLAG")
                self.assertEqual(prog.code_style, "SHORT")

    def test_get_and_find(self):
        prog = self.store.programs.create(name="Client advocates")
        self.assertEqual(self.store.programs.get(prog.id), prog)
        self.assertEqual(self.store.programs.get(prog), prog)  # a Program works as well as its id
        self.assertEqual(self.store.programs.find("Client advocates"), prog)
        exc = self.assertRaisesUnchanged(referral.NotFound, self.store.programs.get, UNKNOWN_ID)
        self.assertReferralError(exc, -3, UNKNOWN_ID)
        self.assertEqual(exc.error_class, core.RF_ERRCLASS_PROGRAM)
        exc = self.assertRaisesUnchanged(referral.NotFound, self.store.programs.find, "GP partners")
        self.assertReferralError(exc, -3, "GP partners")
        self.assertRaisesUnchanged(TypeError, self.store.programs.find, None)

    def test_update(self):
        prog = self.store.programs.create(name="Client advocates")
        self.store.advance(DAY)
        seq = self.store.journal_last_seq()
        changed = self.store.programs.update(prog, window_days=30, fraud_action="flag",
                                             exclude_existing_clients=False)
        self.assertEqual(changed.id, prog.id)
        self.assertEqual((changed.window_days, changed.fraud_action, changed.exclude_existing_clients),
                         (30, "FLAG", False))
        self.assertEqual(changed.attribution, "LAST_TOUCH")  # not given: kept
        self.assertEqual(changed.created_at, T0)
        self.assertEqual(changed.updated_at, T0 + DAY)
        self.assertEqual(self.store.programs.get(prog.id), changed)
        events = list(self.store.journal(after=seq))
        self.assertEqual([(e.type, e.subject_id) for e in events], [(core.RF_EVENT_PROGRAM_UPDATED, prog.id)])
        self.assertEqual(events[0].data, "fields=window_days,exclude_existing_clients,fraud_action")

        renamed = self.store.programs.update(prog.id, name="Advocates")
        self.assertEqual(renamed.name, "Advocates")
        self.assertEqual(self.store.programs.find("Advocates").id, prog.id)
        self.assertRaises(referral.NotFound, self.store.programs.find, "Client advocates")
        self.assertEqual(list(self.store.journal())[-1].data, "fields=name")

    def test_update_that_changes_nothing_writes_nothing(self):
        prog = self.store.programs.create(name="Client advocates", window_days=30)
        self.store.advance(DAY)
        before = self.snapshot()
        same = self.store.programs.update(prog, window_days=30, name="Client advocates")
        self.assertEqual(same, prog)
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(self.store.programs.update(prog), prog)

    def test_list_oldest_first(self):
        self.assertEqual(list(self.store.programs.list()), [])
        names = ["Client advocates", "GP partners", "Employers"]
        made = []
        for name in names:
            made.append(self.store.programs.create(name=name))
            self.store.advance(DAY)
        self.assertEqual([p.name for p in self.store.programs.list()], names)
        self.assertEqual(list(self.store.programs), made)
        with self.store.programs.list() as it:
            self.assertEqual(next(it).name, names[0])

    def test_idempotent_create(self):
        first = self.store.programs.create(name="Client advocates", idempotency_key="create-1")
        seq = self.store.journal_last_seq()
        again = self.store.programs.create(name="Client advocates", idempotency_key="create-1")
        self.assertEqual(again, first)
        self.assertEqual(self.store.journal_last_seq(), seq)
        exc = self.assertRaisesUnchanged(referral.Conflict, self.store.programs.create, name="Client advocates",
                                         window_days=7, idempotency_key="create-1")
        self.assertReferralError(exc, -6, "create-1")

    def test_idempotent_update(self):
        prog = self.store.programs.create(name="Client advocates")
        first = self.store.programs.update(prog, window_days=7, idempotency_key="upd-1")
        seq = self.store.journal_last_seq()
        again = self.store.programs.update(prog, window_days=7, idempotency_key="upd-1")
        self.assertEqual(again, first)
        self.assertEqual(self.store.journal_last_seq(), seq)

    # --- refusals --------------------------------------------------------------------

    def test_duplicate_name(self):
        prog = self.store.programs.create(name="Client advocates")
        exc = self.assertRaisesUnchanged(referral.AlreadyExists, self.store.programs.create,
                                         name="Client advocates", window_days=7)
        self.assertReferralError(exc, -4, "Client advocates", prog.id)
        other = self.store.programs.create(name="GP partners")
        exc = self.assertRaisesUnchanged(referral.AlreadyExists, self.store.programs.update, other,
                                         name="Client advocates")
        self.assertReferralError(exc, -4, "Client advocates")

    def test_bad_settings(self):
        self.store.programs.create(name="Client advocates")
        cases = [
            (dict(), "name is required"),
            (dict(name=""), "name"),
            (dict(name="x" * 65), "name"),
            (dict(name="p", window_days=0), "window_days 0 is out of range (1 to 3650)"),
            (dict(name="p", window_days=3651), "window_days"),
            (dict(name="p", window_days=-1), "window_days -1"),
            (dict(name="p", velocity_cap=-2), "velocity_cap"),
            (dict(name="p", velocity_window_days=366), "velocity_window_days"),
            (dict(name="p", exclude_existing_clients=2), "exclude_existing_clients"),
            (dict(name="p", attribution="random"), "attribution"),
            (dict(name="p", attribution=7), "attribution"),
            (dict(name="p", fraud_action="ignore"), "fraud_action"),
            (dict(name="p", code_style="fancy"), "code_style"),
            (dict(name=b"bad \xc3"), "UTF-8"),
        ]
        for fields, fragment in cases:
            with self.subTest(**{k: str(v)[:20] for k, v in fields.items()}):
                exc = self.assertRaisesUnchanged(referral.InvalidArgument, self.store.programs.create, **fields)
                self.assertReferralError(exc, -5, fragment)

    def test_bad_types(self):
        prog = self.store.programs.create(name="Client advocates")
        self.assertRaisesUnchanged(TypeError, self.store.programs.create, name="p", exclude_existing_clients="yes")
        self.assertRaisesUnchanged(TypeError, self.store.programs.create, name="p", window_days="30")
        self.assertRaisesUnchanged(TypeError, self.store.programs.update, prog, windows_days=30)
        self.assertRaisesUnchanged(TypeError, self.store.programs.update, 42, window_days=30)

    def test_update_refusals(self):
        prog = self.store.programs.create(name="Client advocates")
        exc = self.assertRaisesUnchanged(referral.NotFound, self.store.programs.update, UNKNOWN_ID, window_days=7)
        self.assertReferralError(exc, -3, UNKNOWN_ID)
        exc = self.assertRaisesUnchanged(referral.InvalidArgument, self.store.programs.update, prog,
                                         window_days=7, velocity_window_days=0)
        self.assertReferralError(exc, -5, "velocity_window_days")
        exc = self.assertRaisesUnchanged(referral.InvalidArgument, self.store.programs.update, prog, name="")
        self.assertEqual(exc.code, -5)

    def test_records_outlive_the_store(self):
        prog = self.store.programs.create(name="Client advocates")
        self.store.close()
        self.assertEqual(prog.name, "Client advocates")
        self.assertRaises(referral.InvalidArgument, self.store.programs.list)

    def test_low_level_calls(self):
        h = core.rf_program_create(self.store._h, {"name": "Low level", "window_days": 10})
        self.assertEqual(core.rf_program_window_days(h), 10)
        self.assertEqual(core.rf_program_name(core.rf_program_find(self.store._h, "Low level")), "Low level")
        it = core.rf_program_list(self.store._h)
        self.assertEqual(core.rf_program_id(next(it)), core.rf_program_id(h))
        self.assertRaises(StopIteration, next, it)
        core.rf_program_iter_free(it)
        with self.assertRaisesRegex(TypeError, "window"):
            core.rf_program_create(self.store._h, {"name": "x", "window": 10})
        core.rf_program_free(h)
        self.assertIsNone(core.rf_program_name(h))  # a freed proxy forgets its pointer


class MemoryProgramTest(MemoryBackend, ProgramCases, unittest.TestCase):
    pass


class SqliteProgramTest(SqliteBackend, ProgramCases, unittest.TestCase):
    def test_reopen_sees_programmes(self):
        prog = self.store.programs.create(name="Client advocates", window_days=14, fraud_action="flag")
        self.store.close()
        with self.open_store() as store:
            self.assertEqual(store.programs.get(prog.id), prog)
            self.assertEqual(list(store.programs.list()), [prog])


if __name__ == "__main__":
    unittest.main()
