"""Shared fixtures of the Python suites (not a test module itself).

Every store runs on a pinned clock (T0) and a fixed seed, so results never
depend on the wall clock or on chance. Suites that should hold for every
backend are written once as a mixin and run on memory: and on an SQLite file.
"""

import os
import tempfile

import referral

#: 2026-03-01T00:00:00Z, the time every test store starts at.
T0 = 1772323200
DAY = 86400
SEED = 20260301


class MemoryBackend:
    """Mixin: stores are memory: stores."""

    backend = "memory"

    def open_store(self, **kwargs):
        kwargs.setdefault("seed", SEED)
        kwargs.setdefault("now", T0)
        return referral.Store("memory:", **kwargs)


class SqliteBackend:
    """Mixin: stores are SQLite files in a temporary directory of the test."""

    backend = "sqlite"

    def db_path(self):
        if not hasattr(self, "_tmpdir"):
            tmp = tempfile.TemporaryDirectory(prefix="referral-test-")
            self.addCleanup(tmp.cleanup)
            self._tmpdir = tmp.name
        return os.path.join(self._tmpdir, "clinic.db")

    def open_store(self, **kwargs):
        # Handles writing to one database must not share a seed: their ids would collide.
        self._opened = getattr(self, "_opened", 0) + 1
        kwargs.setdefault("seed", SEED + self._opened)
        kwargs.setdefault("now", T0)
        return referral.Store("sqlite:" + self.db_path(), **kwargs)


class StoreFixture:
    """Mixin: self.store is open for the test and closed after it."""

    store_options = {}

    def setUp(self):
        super().setUp()
        self.store = self.open_store(**self.store_options)
        self.addCleanup(self.store.close)

    def snapshot(self, store=None):
        """Everything a failed call must leave as it was: parties, codes, journal."""
        store = store or self.store
        parties = [p.to_dict() for p in store.parties.list()]
        codes = {p["id"]: [c.to_dict() for c in store.codes.list(p["id"])] for p in parties}
        events = [e.to_dict() for e in store.journal()]
        return parties, codes, events, store.journal_last_seq()

    def assertRaisesUnchanged(self, exc_class, fn, *args, **kwargs):
        """Assert fn(*args, **kwargs) raises exc_class and changes nothing; return the exception."""
        before = self.snapshot()
        with self.assertRaises(exc_class) as cm:
            fn(*args, **kwargs)
        self.assertEqual(self.snapshot(), before, "a failed call changed the store")
        return cm.exception

    def assertReferralError(self, exc, code, *fragments):
        """The exception carries the status code and a message with every fragment."""
        self.assertIsInstance(exc, referral.ReferralError)
        self.assertEqual(exc.code, code)
        self.assertIsInstance(exc.message, str)
        self.assertEqual(exc.message, exc.args[0])
        self.assertEqual(str(exc), exc.message)
        for fragment in fragments:
            self.assertIn(fragment, exc.message)
