"""Check that the installed referral package is the one imported and that its
extension loads the installed libreferral (run by ctest as python_installed)."""
import os
import sys

prefix = os.path.realpath(sys.argv[1])
import referral  # noqa: E402  (sys.path is set by the caller's PYTHONPATH)
from referral import core  # noqa: E402

here = os.path.realpath(referral.__file__)
if not here.startswith(prefix + os.sep):
    sys.exit(f"imported {here}, not the package installed under {prefix}")
with open("/proc/self/maps") as maps:
    loaded = {line.split()[-1] for line in maps if "libreferral.so" in line}
if not loaded or not all(os.path.realpath(p).startswith(prefix + os.sep) for p in loaded):
    sys.exit(f"libreferral loaded from {sorted(loaded)}, not from {prefix}")
with referral.Store("memory:") as store:
    party = store.parties.add(kind="client", display_name="Installed")
    assert store.codes.issue(party).text == "installed"
    program = store.programs.create(name="Installed")
    lead = store.parties.add(kind="lead", display_name="Lead")
    assert store.referrals.create(program, lead, code="installed").advance("accepted").state == "ACCEPTED"
print(f"referral {referral.__version__} from {here}; {sorted(loaded)[0]}")
