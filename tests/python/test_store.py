"""referral.Store: opening, reopening, closing, transactions, the clock, errors."""

import datetime as dt
import os
import pathlib
import re
import tempfile
import threading
import unittest

import referral
from referral import core
from support import DAY, SEED, T0, MemoryBackend, SqliteBackend, StoreFixture

UTC = dt.timezone.utc


class ModuleTest(unittest.TestCase):
    def test_version(self):
        self.assertRegex(referral.__version__, r"^\d+\.\d+\.\d+$")
        self.assertEqual(referral.__version__, "%d.%d.%d" % referral.version_info)
        self.assertEqual(core.__version__, referral.__version__)

    def test_exception_hierarchy(self):
        expected = {
            referral.NotFound: core.RF_ENOTFOUND,
            referral.AlreadyExists: core.RF_EEXISTS,
            referral.InvalidArgument: core.RF_EINVALID,
            referral.Conflict: core.RF_ECONFLICT,
            referral.IllegalTransition: core.RF_ESTATE,
            referral.StorageError: core.RF_EBACKEND,
            referral.OutOfMemory: core.RF_ENOMEM,
            referral.PolicyViolation: core.RF_EPOLICY,
        }
        for cls, code in expected.items():
            with self.subTest(cls=cls.__name__):
                self.assertTrue(issubclass(cls, referral.ReferralError))
                self.assertEqual(cls.code, code)
                self.assertEqual(cls.__module__, "referral")
        self.assertTrue(issubclass(referral.ReferralError, Exception))
        self.assertTrue(issubclass(referral.InvalidArgument, ValueError))
        self.assertTrue(issubclass(referral.NotFound, LookupError))
        self.assertTrue(issubclass(referral.OutOfMemory, MemoryError))

    def test_exceptions_raised_from_python_have_code_and_message(self):
        exc = referral.NotFound("no such thing")
        self.assertEqual(exc.code, -3)
        self.assertEqual(exc.message, "no such thing")

    def test_strerror(self):
        self.assertIsInstance(referral.strerror(core.RF_ENOTFOUND), str)
        self.assertNotEqual(referral.strerror(core.RF_ENOTFOUND), referral.strerror(core.RF_OK))


class OpenTest(unittest.TestCase):
    def test_memory_store_defaults(self):
        with referral.Store() as store:
            self.assertEqual(store.practice, "default")
            self.assertFalse(store.closed)
            self.assertEqual(store.journal_last_seq(), 0)
            self.assertEqual(list(store.parties.list()), [])

    def test_practice_and_pinned_clock(self):
        with referral.Store("memory:", practice="elm-st", seed=SEED, now=T0) as store:
            self.assertEqual(store.practice, "elm-st")
            self.assertEqual(store.now, T0)
            self.assertEqual(store.now_dt, dt.datetime(2026, 3, 1, tzinfo=UTC))
            self.assertIn("elm-st", repr(store))

    def test_bad_uri_is_invalid_argument(self):
        with self.assertRaises(referral.InvalidArgument) as cm:
            referral.Store("ftp://example.org/clinic")
        self.assertEqual(cm.exception.code, -5)
        self.assertIn("unknown scheme", cm.exception.message)
        self.assertIn("ftp://example.org/clinic", str(cm.exception))
        with self.assertRaises(referral.InvalidArgument) as cm:
            referral.Store("sqlite:")
        self.assertIn("file path", cm.exception.message)

    def test_bad_options_are_invalid_arguments(self):
        with self.assertRaises(referral.InvalidArgument) as cm:
            referral.Store("memory:", practice="elm st!")
        self.assertIn("practice", cm.exception.message)
        with self.assertRaises(referral.InvalidArgument) as cm:
            referral.Store("memory:", practice="")
        self.assertIn("practice", cm.exception.message)
        with self.assertRaises(referral.InvalidArgument) as cm:
            referral.Store("memory:", phone_region="+44")
        self.assertIn("phone_region", cm.exception.message)
        with self.assertRaises(referral.InvalidArgument) as cm:
            referral.Store("memory:", practice="elm\0st")
        self.assertIn("NUL", cm.exception.message)
        with self.assertRaises(TypeError):
            referral.Store(42)
        with self.assertRaises(TypeError):
            referral.Store("memory:", now="yesterday")

    def test_same_seed_gives_same_ids(self):
        ids = []
        for _ in range(2):
            with referral.Store("memory:", seed=SEED, now=T0) as store:
                ids.append(store.parties.add(kind="client", display_name="Jane Doe").id)
        self.assertEqual(ids[0], ids[1])


class SqliteFileTest(unittest.TestCase):
    def setUp(self):
        tmp = tempfile.TemporaryDirectory(prefix="referral-test-")
        self.addCleanup(tmp.cleanup)
        self.path = os.path.join(tmp.name, "clinic.db")

    def test_reopen_sees_data(self):
        with referral.Store("sqlite:" + self.path, practice="elm-st", seed=SEED, now=T0) as store:
            jane = store.parties.add(kind="client", display_name="Jane Doe", email="jane@example.org",
                                     external_id="pms-1")
            code = store.codes.issue(jane)
            events = [e.to_dict() for e in store.journal()]
        self.assertTrue(os.path.exists(self.path))

        with referral.Store("sqlite:" + self.path, practice="elm-st", seed=SEED + 1, now=T0 + DAY) as store:
            self.assertEqual(store.parties.get(jane.id), jane)
            self.assertEqual(store.parties.find_external("pms-1").id, jane.id)
            self.assertEqual(store.codes.resolve("jane-doe").id, code.id)
            self.assertEqual([e.to_dict() for e in store.journal()], events)
            self.assertEqual(store.journal_last_seq(), 2)

    def test_path_like_and_bare_path_open_sqlite(self):
        with referral.Store(pathlib.Path(self.path), seed=SEED, now=T0) as store:
            pid = store.parties.add(kind="lead", display_name="Sam Lee").id
        with referral.Store(self.path, seed=SEED, now=T0) as store:
            self.assertEqual(store.parties.get(pid).display_name, "Sam Lee")

    def test_practices_sharing_a_file_do_not_see_each_other(self):
        uri = "sqlite:" + self.path
        with referral.Store(uri, practice="elm-st", seed=SEED, now=T0) as elm:
            jane = elm.parties.add(kind="client", display_name="Jane Doe", external_id="x1")
        with referral.Store(uri, practice="oak-rd", seed=SEED + 1, now=T0) as oak:
            with self.assertRaises(referral.NotFound) as cm:
                oak.parties.get(jane.id)
            self.assertIn("oak-rd", cm.exception.message)
            self.assertEqual(list(oak.parties.list()), [])
            self.assertEqual(oak.journal_last_seq(), 0)
            # External ids are unique per practice only.
            oak.parties.add(kind="client", display_name="Other Jane", external_id="x1")
            self.assertEqual(oak.journal_last_seq(), 1)

    def test_open_fails_on_an_unusable_file(self):
        with open(self.path, "wb") as f:
            f.write(b"this is not an SQLite database" * 100)
        with self.assertRaises(referral.StorageError) as cm:
            referral.Store("sqlite:" + self.path)
        self.assertIn(cm.exception.code, (core.RF_EBACKEND, core.RF_EVERSION))
        self.assertTrue(cm.exception.message)


class LifetimeTest(unittest.TestCase):
    def test_context_manager_closes(self):
        with referral.Store("memory:", seed=SEED, now=T0) as store:
            store.parties.add(kind="client", display_name="Jane Doe")
        self.assertTrue(store.closed)
        self.assertIn("closed", repr(store))
        with self.assertRaises(referral.InvalidArgument) as cm:
            store.parties.list()
        self.assertIn("closed", cm.exception.message)
        with self.assertRaises(referral.InvalidArgument):
            store.now
        store.close()  # idempotent

    def test_context_manager_closes_on_exception(self):
        with self.assertRaises(KeyError):
            with referral.Store("memory:", seed=SEED, now=T0) as store:
                raise KeyError("boom")
        self.assertTrue(store.closed)

    def test_closing_the_store_stops_its_iterators(self):
        store = referral.Store("memory:", seed=SEED, now=T0)
        for i in range(3):
            store.parties.add(kind="client", display_name=f"Client {i}")
        parties = store.parties.list()
        events = store.journal()
        self.assertEqual(next(parties).display_name, "Client 0")
        store.close()
        self.assertEqual(list(parties), [])
        self.assertEqual(list(events), [])

    def test_iterator_keeps_store_alive(self):
        store = referral.Store("memory:", seed=SEED, now=T0)
        for i in range(3):
            store.parties.add(kind="client", display_name=f"Client {i}")
        low = core.rf_party_list(store._h, None)
        del store  # the low-level iterator holds its store
        self.assertEqual([core.rf_party_display_name(p) for p in low], ["Client 0", "Client 1", "Client 2"])

    def test_records_outlive_the_store(self):
        with referral.Store("memory:", seed=SEED, now=T0) as store:
            jane = store.parties.add(kind="client", display_name="Jane Doe")
            code = store.codes.issue(jane)
        self.assertEqual(jane.display_name, "Jane Doe")
        self.assertEqual(code.state_at(T0), "ACTIVE")


class ClockTest(MemoryBackend, StoreFixture, unittest.TestCase):
    def test_set_time_and_advance(self):
        self.assertTrue(self.store.clock_frozen)
        self.store.set_time(dt.datetime(2026, 4, 1, 12, 0, tzinfo=UTC))
        self.assertEqual(self.store.now, T0 + 31 * DAY + 12 * 3600)
        self.store.set_time(dt.datetime(2026, 4, 1, 14, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))))
        self.assertEqual(self.store.now, T0 + 31 * DAY + 12 * 3600)
        self.store.set_time(dt.datetime(2026, 3, 2))  # naive means UTC
        self.assertEqual(self.store.now, T0 + DAY)
        self.store.advance(dt.timedelta(hours=1))
        self.assertEqual(self.store.now, T0 + DAY + 3600)
        self.store.advance(60)
        self.assertEqual(self.store.now, T0 + DAY + 3660)

    def test_records_take_the_store_time(self):
        self.store.set_time(T0 + 5 * DAY)
        p = self.store.parties.add(kind="client", display_name="Jane Doe")
        self.assertEqual(p.created_at, T0 + 5 * DAY)
        self.assertEqual(p.created_at_dt, dt.datetime(2026, 3, 6, tzinfo=UTC))

    def test_system_clock(self):
        lower_bound = int(dt.datetime.now(UTC).timestamp()) - 1
        self.store.use_system_clock()
        self.assertFalse(self.store.clock_frozen)
        self.assertGreaterEqual(self.store.now, lower_bound)
        self.store.advance(0)  # pins the clock again where it is
        self.assertTrue(self.store.clock_frozen)
        self.store.set_time(T0)
        self.assertEqual(self.store.now, T0)


class TransactionCases(StoreFixture):
    def test_commit(self):
        with self.store.transaction() as store:
            self.assertIs(store, self.store)
            self.assertEqual(self.store.transaction_depth, 1)
            a = store.parties.add(kind="client", display_name="Ann Able")
            b = store.parties.add(kind="client", display_name="Ben Baker")
        self.assertEqual(self.store.transaction_depth, 0)
        self.assertEqual([p.id for p in self.store.parties.list()], [a.id, b.id])
        self.assertEqual(self.store.journal_last_seq(), 2)

    def test_rollback_on_exception(self):
        self.store.parties.add(kind="client", display_name="Kept Client")
        before = self.snapshot()
        with self.assertRaises(RuntimeError):
            with self.store.transaction():
                self.store.parties.add(kind="client", display_name="Ann Able")
                self.store.codes.issue(self.store.parties.add(kind="client", display_name="Ben Baker"))
                raise RuntimeError("host failed")
        self.assertEqual(self.store.transaction_depth, 0)
        self.assertEqual(self.snapshot(), before)
        # The sequence goes on without a gap.
        self.store.parties.add(kind="client", display_name="Cy Cole")
        self.assertEqual([e.seq for e in self.store.journal()], [1, 2])

    def test_rollback_on_library_error(self):
        self.store.parties.add(kind="client", display_name="Jane Doe", external_id="x1")
        before = self.snapshot()
        with self.assertRaises(referral.AlreadyExists):
            with self.store.transaction():
                self.store.parties.add(kind="client", display_name="Ann Able")
                self.store.parties.add(kind="client", display_name="Dup", external_id="x1")
        self.assertEqual(self.snapshot(), before)

    def test_nested(self):
        with self.store.transaction():
            self.store.parties.add(kind="client", display_name="Outer One")
            with self.assertRaises(ValueError):
                with self.store.transaction():
                    self.assertEqual(self.store.transaction_depth, 2)
                    self.store.parties.add(kind="client", display_name="Inner One")
                    raise ValueError("undo the inner one")
            self.store.parties.add(kind="client", display_name="Outer Two")
        names = [p.display_name for p in self.store.parties.list()]
        self.assertEqual(names, ["Outer One", "Outer Two"])

    def test_explicit_begin_commit_rollback(self):
        self.store.begin()
        self.store.parties.add(kind="client", display_name="Ann Able")
        self.store.rollback()
        self.assertEqual(list(self.store.parties.list()), [])
        self.store.begin()
        self.store.parties.add(kind="client", display_name="Ann Able")
        self.store.commit()
        self.assertEqual(len(list(self.store.parties.list())), 1)

    def test_commit_without_begin_is_illegal(self):
        exc = self.assertRaisesUnchanged(referral.IllegalTransition, self.store.commit)
        self.assertReferralError(exc, -7, "without an open transaction")
        exc = self.assertRaisesUnchanged(referral.IllegalTransition, self.store.rollback)
        self.assertReferralError(exc, -7, "without an open transaction")

    def test_close_rolls_back_an_open_transaction(self):
        if not self.persistent:
            self.skipTest("a memory: store does not outlive its handle")
        self.store.parties.add(kind="client", display_name="Kept Client")
        self.store.begin()
        self.store.parties.add(kind="client", display_name="Lost Client")
        self.store.close()
        with self.open_store() as again:
            self.assertEqual([p.display_name for p in again.parties.list()], ["Kept Client"])


class MemoryTransactionTest(MemoryBackend, TransactionCases, unittest.TestCase):
    pass


class SqliteTransactionTest(SqliteBackend, TransactionCases, unittest.TestCase):
    pass


class ThreadTest(MemoryBackend, StoreFixture, unittest.TestCase):
    def test_threads_share_a_store_safely(self):
        errors = []

        def work(n):
            try:
                for i in range(25):
                    self.store.parties.add(kind="client", display_name=f"T{n} client {i}")
                    list(self.store.journal(after=self.store.journal_last_seq() - 1))
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(len(list(self.store.parties.list())), 100)
        self.assertEqual([e.seq for e in self.store.journal()], list(range(1, 101)))


class LowLevelTest(unittest.TestCase):
    """referral.core mirrors the C API."""

    def test_out_parameters_become_results(self):
        store = core.rf_store_open("memory:", {"seed": SEED})
        core.rfpy_store_use_clock(store, core.Clock(T0))
        party = core.rf_party_add(store, {"kind": core.RF_PARTY_CLIENT, "display_name": "Jane Doe"})
        self.assertEqual(core.rf_party_created_at(party), T0)
        self.assertEqual(core.rf_journal_last_seq(store), 1)
        self.assertEqual(core.rf_party_kind_name(core.rf_party_get_kind(party)), "CLIENT")
        it = core.rf_journal_read(store, 0)
        self.assertEqual(core.rf_event_type(core.rf_journal_iter_next(it)), core.RF_EVENT_PARTY_ADDED)
        self.assertIsNone(core.rf_journal_iter_next(it))  # RF_ITEROVER
        self.assertEqual(tuple(core.rf_version()), referral.version_info)

    def test_error_last(self):
        store = core.rf_store_open("memory:", None)
        with self.assertRaises(referral.NotFound):
            core.rf_party_get(store, "nope")
        last = core.rf_error_last()
        self.assertEqual(last.code, core.RF_ENOTFOUND)
        self.assertEqual(last.klass, core.RF_ERRCLASS_PARTY)
        self.assertIn("nope", last.message)
        core.rf_error_clear()
        self.assertEqual(core.rf_error_last().code, core.RF_OK)

    def test_unknown_option_key_is_a_type_error(self):
        store = core.rf_store_open("memory:", None)
        with self.assertRaisesRegex(TypeError, "display_nmae"):
            core.rf_party_add(store, {"kind": 1, "display_nmae": "typo"})
        with self.assertRaises(TypeError):
            core.rf_party_add(store, {"kind": "CLIENT", "display_name": "x"})
        self.assertEqual(core.rf_journal_last_seq(store), 0)

    def test_exception_carries_error_class(self):
        with self.assertRaises(referral.InvalidArgument) as cm:
            core.rf_store_open("nope:x", None)
        self.assertEqual(cm.exception.error_class, core.RF_ERRCLASS_STORE)


if __name__ == "__main__":
    unittest.main()
