"""libreferral for Python: client-referral programmes for appointment-based practices.

    import referral

    with referral.Store("sqlite:clinic.db", practice="elm-st") as store:
        jane = store.parties.add(kind="client", display_name="Jane Doe",
                                 email="Jane@Example.org", consent={"contact", "named"})
        code = store.codes.issue(jane)              # jane-doe
        assert store.codes.resolve("JANE DOE").owner_id == jane.id
        for event in store.journal(after=0):
            print(event.seq, event.type, event.subject_id)

Failures raise ReferralError subclasses carrying the library's message
(``str(exc)``, ``exc.message``) and status code (``exc.code``). The
low-level SWIG module is ``referral.core``; it mirrors the C API.
"""

from . import core
from ._records import (Channel, Code, CodeState, CodeStyle, Consent, Event, Intake, Party, PartyKind,
                       Payer)
from ._store import Codes, Parties, Store

ReferralError = core.ReferralError
NotFound = core.NotFound
AlreadyExists = core.AlreadyExists
InvalidArgument = core.InvalidArgument
Conflict = core.Conflict
IllegalTransition = core.IllegalTransition
StorageError = core.StorageError
OutOfMemory = core.OutOfMemory

#: The run-time libreferral version, e.g. "0.1.0".
__version__ = core.rf_version_string()
#: (major, minor, patch) of the run-time library.
version_info = tuple(core.rf_version())


def strerror(code):
    """A short English description of an rf_status code."""
    return core.rf_strerror(int(code))


__all__ = [
    "Store", "Parties", "Codes", "Party", "Code", "Event",
    "PartyKind", "Payer", "Intake", "CodeStyle", "Channel", "CodeState", "Consent",
    "ReferralError", "NotFound", "AlreadyExists", "InvalidArgument", "Conflict", "IllegalTransition",
    "StorageError", "OutOfMemory", "strerror", "__version__", "version_info",
]
