"""Run every Python suite written for SQLite again on PostgreSQL.

Each TestCase class of tests/python/test_*.py that runs on SqliteBackend is
run once more as a subclass with PostgresBackend in front of it (a database
per test on the server named by RF_TEST_POSTGRES). Tests about the SQLite file
itself (they read db_path or use Python's sqlite3) are reported as skipped.

    python3 run_postgres.py [-k PATTERN] [-q]

Exits 77, which ctest reports as skipped, when RF_TEST_POSTGRES is unset or the
build has no PostgreSQL backend: then nothing ran, and nothing may pass.
"""

import argparse
import fnmatch
import importlib
import inspect
import os
import sys
import unittest

SKIPPED = 77
HERE = os.path.dirname(os.path.abspath(__file__))


def banner(why):
    line = "!" * 72
    print(f"{line}\n!!! SKIPPED, NOT PASSED: the Python suites on PostgreSQL\n!!! {why}\n{line}", flush=True)


def about_the_sqlite_file(method):
    """True when the test reaches the SQLite file behind the library's back."""
    try:
        source = inspect.getsource(method)
    except (OSError, TypeError):
        return False
    return "db_path" in source or "sqlite3" in source


def postgres_variant(cls, module, PostgresBackend):
    """``cls`` (a SqliteBackend test class) with PostgresBackend in front of it,
    so that open_store makes PostgreSQL stores; its file tests skip."""
    name = "Postgres" + (cls.__name__[len("Sqlite"):] if cls.__name__.startswith("Sqlite") else cls.__name__)
    attrs = {"__module__": module.__name__, "__qualname__": name}
    for attr in dir(cls):
        if attr.startswith("test") and about_the_sqlite_file(getattr(cls, attr)):
            attrs[attr] = unittest.skip("about the SQLite file itself")(getattr(cls, attr))
    return type(name, (PostgresBackend, cls), attrs)


def load(patterns):
    sys.path.insert(0, HERE)
    import support

    loader = unittest.TestLoader()
    suite = unittest.TestSuite()
    classes = 0
    for filename in sorted(os.listdir(HERE)):
        if not (filename.startswith("test_") and filename.endswith(".py")):
            continue
        module = importlib.import_module(filename[:-3])
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or not issubclass(cls, unittest.TestCase):
                continue
            if not issubclass(cls, support.SqliteBackend):
                continue
            variant = postgres_variant(cls, module, support.PostgresBackend)
            classes += 1
            for test in loader.loadTestsFromTestCase(variant):
                if not patterns or any(fnmatch.fnmatchcase(test.id(), f"*{p}*") for p in patterns):
                    suite.addTest(test)
    return suite, classes


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", action="append", default=[], help="only tests whose id contains this")
    parser.add_argument("-q", action="store_true", help="one dot per test")
    args = parser.parse_args()

    if not os.environ.get("RF_TEST_POSTGRES"):
        banner("RF_TEST_POSTGRES is not set (scripts/test.sh starts a server and sets it)")
        return SKIPPED
    if os.environ.get("RF_NO_POSTGRES_BACKEND"):
        banner("this build has no PostgreSQL backend (RF_WITH_POSTGRES is OFF; is libpq-dev installed?)")
        return SKIPPED

    suite, classes = load(args.k)
    print(f"{suite.countTestCases()} tests of {classes} SQLite test classes, on PostgreSQL", flush=True)
    result = unittest.TextTestRunner(verbosity=1 if args.q else 2).run(suite)
    if suite.countTestCases() == 0:
        print("no test ran", file=sys.stderr)
        return 1
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
