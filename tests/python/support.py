"""Shared fixtures of the Python suites (not a test module itself).

Every store runs on a pinned clock (T0) and a fixed seed, so results never
depend on the wall clock or on chance. Suites that should hold for every
backend are written once as a mixin and run on memory: and on an SQLite file;
run_postgres.py runs the SQLite ones again on PostgreSQL (PostgresBackend).
"""

import glob
import itertools
import os
import shutil
import subprocess
import tempfile
import unittest

import referral

#: 2026-03-01T00:00:00Z, the time every test store starts at.
T0 = 1772323200
DAY = 86400
SEED = 20260301


class MemoryBackend:
    """Mixin: stores are memory: stores."""

    backend = "memory"
    #: A memory: store ends with its handle.
    persistent = False

    def open_store(self, **kwargs):
        kwargs.setdefault("seed", SEED)
        kwargs.setdefault("now", T0)
        return referral.Store("memory:", **kwargs)


class SqliteBackend:
    """Mixin: stores are SQLite files in a temporary directory of the test."""

    backend = "sqlite"
    persistent = True

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


def postgres_server():
    """The conninfo of the PostgreSQL test server (no dbname), or None:
    RF_TEST_POSTGRES, which scripts/test.sh sets after starting one."""
    return os.environ.get("RF_TEST_POSTGRES") or None


def _psql():
    found = shutil.which("psql")
    if found:
        return found
    # Debian keeps the binaries in versioned directories; the newest will do.
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"),
                        key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    if candidates:
        return candidates[-1]
    raise unittest.SkipTest("psql not found: cannot make test databases")


def postgres_admin(sql):
    """Run ``sql`` on the test server's maintenance database with psql (the
    standard library has no PostgreSQL driver, and the bindings do not expose libpq)."""
    # The sanitizer build preloads ASan into this interpreter; psql is not built for it and
    # can hang in it (loading GSSAPI plugins), so it runs without the preload.
    env = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS")}
    subprocess.run([_psql(), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", postgres_server() + " dbname=postgres",
                    "-c", "SET client_min_messages = warning", "-c", sql],
                   check=True, stdout=subprocess.DEVNULL, env=env, timeout=120)


_databases = itertools.count(1)


class PostgresBackend:
    """Mixin: stores are PostgreSQL databases on RF_TEST_POSTGRES, one new
    database per test (as SqliteBackend makes a new file per test), dropped after it."""

    backend = "postgres"
    #: Stores outlive their handles: a test may close and reopen, or open a second handle.
    persistent = True

    def postgres_conninfo(self):
        if not hasattr(self, "_pg_conninfo"):
            if postgres_server() is None:
                raise unittest.SkipTest("RF_TEST_POSTGRES is not set")
            name = f"rf_python_{os.getpid()}_{next(_databases)}"
            postgres_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            postgres_admin(f"CREATE DATABASE {name}")
            # WITH (FORCE): a handle the test left to the garbage collector must not keep it.
            self.addCleanup(postgres_admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            self._pg_conninfo = f"{postgres_server()} dbname={name}"
        return self._pg_conninfo

    def db_path(self):
        raise unittest.SkipTest("about the SQLite file itself")

    def open_store(self, **kwargs):
        self._opened = getattr(self, "_opened", 0) + 1
        kwargs.setdefault("seed", SEED + self._opened)
        kwargs.setdefault("now", T0)
        return referral.Store("postgres:" + self.postgres_conninfo(), **kwargs)


class StoreFixture:
    """Mixin: self.store is open for the test and closed after it."""

    store_options = {}

    def setUp(self):
        super().setUp()
        self.store = self.open_store(**self.store_options)
        self.addCleanup(self.store.close)

    def snapshot(self, store=None, journal=True):
        """Everything a failed call must leave as it was: parties, codes,
        programmes, referrals and (unless journal=False) the journal."""
        store = store or self.store
        parties = [p.to_dict() for p in store.parties.list()]
        codes = {p["id"]: [c.to_dict() for c in store.codes.list(p["id"])] for p in parties}
        programs = [p.to_dict() for p in store.programs.list()]
        referrals = [r.to_dict() for r in store.referrals.list()]
        state = (parties, codes, programs, referrals)
        if journal:
            state += ([e.to_dict() for e in store.journal()], store.journal_last_seq())
        return state

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


class ReferralFixture(StoreFixture):
    """Mixin: a programme, a client with a code, a lead, a partner and a staff member.

    self.program   "Client advocates": last touch, 90 days, excludes clients, blocks
    self.jane      CLIENT "Jane Doe" (jane@example.org) owning the code self.code ("jane-doe")
    self.john      CLIENT "John Roe" owning "john-roe"
    self.sam       LEAD "Sam Lee"
    self.gp        PARTNER "Elm Street Surgery"
    self.dr        STAFF "Dr Priya Patel"
    """

    def setUp(self):
        super().setUp()
        store = self.store
        self.program = store.programs.create(name="Client advocates")
        self.jane = store.parties.add(kind="client", display_name="Jane Doe", email="jane@example.org")
        self.john = store.parties.add(kind="client", display_name="John Roe")
        self.sam = store.parties.add(kind="lead", display_name="Sam Lee")
        self.gp = store.parties.add(kind="partner", display_name="Elm Street Surgery")
        self.dr = store.parties.add(kind="staff", display_name="Dr Priya Patel")
        self.code = store.codes.issue(self.jane)
        self.john_code = store.codes.issue(self.john)

    def lead(self, name, **kwargs):
        return self.store.parties.add(kind="lead", display_name=name, **kwargs)

    def refer(self, referee, program=None, **kwargs):
        """A referral of ``referee`` in ``program`` (default self.program)."""
        return self.store.referrals.create(program or self.program, referee, **kwargs)

    def walk(self, ref, *states, step=3600):
        """Advance ``ref`` through ``states``, an hour apart; SCHEDULED gets an appointment a week on."""
        for state in states:
            self.store.advance(step)
            extra = {}
            if state == "SCHEDULED":
                extra["appointment_at"] = self.store.now + 7 * DAY
            elif state in ("DECLINED", "CANCELLED", "LOST", "ON_HOLD"):
                extra["reason"] = "test"
            ref.advance(state, **extra)
        return ref

    def assertRaisesUnchangedButJournal(self, exc_class, fn, *args, **kwargs):
        """Like assertRaisesUnchanged, for refusals the library journals (the
        records stay as they were); return (exception, the new events)."""
        before = self.snapshot(journal=False)
        seq = self.store.journal_last_seq()
        with self.assertRaises(exc_class) as cm:
            fn(*args, **kwargs)
        self.assertEqual(self.snapshot(journal=False), before, "a refused call changed a record")
        return cm.exception, list(self.store.journal(after=seq))


class RewardFixture(ReferralFixture):
    """Mixin: ReferralFixture plus rewards.

    snapshot() also covers every programme's reward rules, the grants, the
    ledger and every party's balance, so assertRaisesUnchanged proves a
    refused reward call changed nothing. Referrals made with new_referral()
    are referred by self.jane through her code.
    """

    def snapshot(self, store=None, journal=True):
        store = store or self.store
        state = super().snapshot(store, journal)
        rewards = store.rewards
        rules = {p.id: [r.to_dict() for r in rewards.rules(p)] for p in list(store.programs.list())}
        grants = [g.to_dict() for g in rewards.grants()]
        ledger = [e.to_dict() for e in rewards.ledger()]
        balances = {p.id: rewards.balance(p).to_dict() for p in list(store.parties.list())}
        return state + (rules, grants, ledger, balances)

    def new_referral(self, name="Lead", code="jane-doe", program=None, **kwargs):
        """A new lead (``kwargs`` go to the lead, e.g. payer=) referred through ``code``."""
        lead = self.lead(name, **kwargs)
        return self.refer(lead, program=program, code=code)

    def close(self, ref):
        """Walk ``ref`` from RECEIVED to CLOSED, an hour a step."""
        return self.walk(ref, "ACCEPTED", "SCHEDULED", "SEEN", "CLOSED")

    def grants_of(self, ref):
        return list(self.store.rewards.grants(referral=ref))

    def ledger_rows(self, party):
        """The balance rows of ``party`` summed here, in Python, from its ledger entries."""
        sums = {}
        columns = {"ISSUED": 2, "REDEEMED": 3, "EXPIRED": 4, "REVERSED": 5}
        for entry in self.store.rewards.ledger(party=party):
            row = sums.setdefault(entry.currency, [0] * 6)
            row[0] += entry.available_delta
            row[1] += entry.pending_delta
            if entry.type.name in columns:
                row[columns[entry.type.name]] += entry.amount
        order = sorted(c for c in sums if c is not None) + ([None] if None in sums else [])
        return tuple(referral.BalanceRow(c, *sums[c]) for c in order if any(sums[c]))

    def assertBooks(self, party):
        """The party's balance is the sum of its entries, the audit agrees, and
        no grant exists twice for one (rule, referral, recipient)."""
        balance = self.store.rewards.balance(party)
        self.assertEqual(balance.rows, self.ledger_rows(party))
        self.assertEqual(self.store.rewards.audit(party), balance)
        keys = [(g.rule_id, g.referral_id, g.recipient_id) for g in self.store.rewards.grants()]
        self.assertEqual(len(keys), len(set(keys)), "a grant exists twice")
        return balance


class OutboxFixture(ReferralFixture):
    """Mixin: ReferralFixture plus client events and the outbox.

    snapshot() also covers every client event and every task (listed, never
    leased), so assertRaisesUnchanged proves a refused event or report
    changed nothing.
    """

    def snapshot(self, store=None, journal=True):
        store = store or self.store
        state = super().snapshot(store, journal)
        events = [e.to_dict() for e in store.events.list()]
        tasks = [t.to_dict() for t in store.outbox.list()]
        return state + (events, tasks)

    def client(self, name, consent=("contact",), email=None, **kwargs):
        """A CLIENT who may be contacted (unless consent=()), with an e-mail address made from the name."""
        if email is None:
            email = name.lower().replace(" ", ".") + "@example.org"
        return self.store.parties.add(kind="client", display_name=name, consent=set(consent), email=email,
                                      **kwargs)

    def tasks(self, **flt):
        """The tasks matching ``flt`` (see Outbox.list), oldest first."""
        return list(self.store.outbox.list(**flt))

    def drain(self, **kwargs):
        """Every task due now, leased (see Outbox.due)."""
        return list(self.store.outbox.due(**kwargs))

    def journal_since(self, seq, *types):
        """The journal events after ``seq``, only of ``types`` when given."""
        return [e for e in self.store.journal(after=seq) if not types or e.type in types]
