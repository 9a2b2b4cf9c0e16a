"""The Store facade: opening, the clock, transactions, parties, codes, journal.

Programmes, touches and referrals are in _referral_store.py, rewards in
_reward_store.py, client events in _event_store.py, the outbox in
_outbox_store.py, KPIs in _kpis.py.
"""

import contextlib
import os
import threading
import weakref

from . import core
from ._records import (Channel, Code, CodeStyle, Event, Intake, Party, PartyKind, Payer, consent_flags,
                       to_datetime, to_duration, to_seconds)

__all__ = ["Store", "Parties", "Codes"]


def _text(value, what):
    """A text argument: str (or bytes, passed as they are)."""
    if isinstance(value, (str, bytes)):
        return value
    raise TypeError(f"{what} must be str, not {type(value).__name__}")


def _party_id(value, what="party"):
    """The id of a Party or an id string."""
    if isinstance(value, Party):
        return value.id
    return _text(value, what)


def _code_text(value):
    """The text of a Code or a code string."""
    if isinstance(value, Code):
        return value.text
    return _text(value, "code")


class _Iterator:
    """Iterates over a C iterator of its store, converting each item.

    The store serialises calls (one thread at a time, as the C API requires)
    and closes its live iterators before it closes itself.
    """

    def __init__(self, store, handle, convert, free):
        self._store = store
        self._h = handle
        self._convert = convert
        self._free = free
        store._iterators.add(self)

    def __iter__(self):
        return self

    def __next__(self):
        store = self._store
        with store._lock:
            if self._h is None:
                raise StopIteration
            try:
                item = next(self._h)
            except StopIteration:
                self.close()
                raise
            return self._convert(item)

    def close(self):
        """Release the C iterator; further iteration stops."""
        with self._store._lock:
            h, self._h = self._h, None
            if h is not None:
                self._free(h)
            self._store._iterators.discard(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


class Store:
    """An open libreferral store, scoped to one practice.

    ``uri`` is ``"memory:"``, ``"sqlite:PATH"`` or a path (str or os.PathLike).
    ``practice`` is the tenant id (default "default"); ``phone_region`` the
    calling code assumed for local phone numbers ("44"); ``seed`` fixes the
    random numbers (ids, short codes) for reproducible tests; ``now``
    (datetime or int seconds) pins the store's clock, see set_time().

    A Store is a context manager that closes it. Calls on one store are
    serialised by a lock; the GIL is released while the library works.
    """

    def __init__(self, uri="memory:", practice=None, phone_region=None, seed=0, now=None):
        if isinstance(uri, os.PathLike):
            uri = "sqlite:" + os.fspath(uri)
        uri = _text(uri, "uri")
        opts = {"practice": practice, "phone_region": phone_region, "seed": 0 if seed is None else seed}
        self._lock = threading.RLock()
        self._iterators = weakref.WeakSet()
        self._clock = None
        self._h = None
        self._h = core.rf_store_open(uri, opts)
        self._practice = core.rf_store_practice(self._h)
        if now is not None:
            self.set_time(now)

    # --- lifetime ---------------------------------------------------------------

    def _handle(self):
        h = self._h
        if h is None:
            raise core.InvalidArgument("the store is closed")
        return h

    def _call(self, fn, *args):
        with self._lock:
            return fn(self._handle(), *args)

    def close(self):
        """Close the store (rolling back a transaction left open). Idempotent."""
        with self._lock:
            if self._h is None:
                return
            for it in list(self._iterators):
                it.close()
            h, self._h = self._h, None
            core.rf_store_free(h)
            self._clock = None

    @property
    def closed(self):
        return self._h is None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __repr__(self):
        state = "closed" if self._h is None else "open"
        return f"<referral.Store practice={self._practice!r} {state}>"

    @property
    def practice(self):
        """The practice (tenant) this store is scoped to."""
        return self._practice

    # Made on demand rather than kept, so that a Store is not in a reference
    # cycle and closes as soon as the last reference to it goes.
    @property
    def parties(self):
        """Clients, leads, partners and staff: see Parties."""
        return Parties(self)

    @property
    def codes(self):
        """Referral codes: see Codes."""
        return Codes(self)

    # _referral_store imports this module, so it is imported where it is used.
    @property
    def programs(self):
        """Referral programmes: see Programs."""
        from ._referral_store import Programs
        return Programs(self)

    @property
    def touches(self):
        """Visits through codes: see Touches."""
        from ._referral_store import Touches
        return Touches(self)

    @property
    def referrals(self):
        """Referrals and their lifecycle: see Referrals."""
        from ._referral_store import Referrals
        return Referrals(self)

    @property
    def rewards(self):
        """Reward rules, grants, the ledger, balances and tiers: see Rewards."""
        from ._reward_store import Rewards
        return Rewards(self)

    @property
    def kpis(self):
        """KPIs: ``store.kpis(from_, to, program=, channel=, source=, practitioner=)``
        returns the KpiReport of the period; see Kpis."""
        from ._kpis import Kpis
        return Kpis(self)

    @property
    def events(self):
        """Client events (visits, NPS, milestones, complaints, ...): see Events."""
        from ._event_store import Events
        return Events(self)

    @property
    def outbox(self):
        """Tasks to send or do, draining and delivery reports: see Outbox."""
        from ._outbox_store import Outbox
        return Outbox(self)

    @property
    def templates(self):
        """Message templates (the words of each outbox message): see Templates."""
        from ._outbox_store import Templates
        return Templates(self)

    # --- the clock --------------------------------------------------------------

    @property
    def now(self):
        """The store's current time, int seconds (UTC)."""
        return self._call(core.rf_store_now)

    @property
    def now_dt(self):
        return to_datetime(self.now)

    @property
    def clock_frozen(self):
        """True when set_time() pinned the clock."""
        return self._clock is not None

    def set_time(self, when):
        """Pin the store's clock at ``when`` (datetime or int seconds) until changed."""
        seconds = to_seconds(when, "time")
        with self._lock:
            h = self._handle()
            if self._clock is None:
                clock = core.Clock(seconds)
                core.rfpy_store_use_clock(h, clock)
                self._clock = clock
            else:
                self._clock.now = seconds

    def advance(self, delta):
        """Move a pinned clock by ``delta`` (timedelta or int seconds); pins it first if needed."""
        seconds = to_duration(delta, "delta")
        with self._lock:
            self.set_time(self.now + seconds)

    def use_system_clock(self):
        """Go back to the system clock."""
        with self._lock:
            core.rfpy_store_use_clock(self._handle(), None)
            self._clock = None

    # --- transactions -------------------------------------------------------------

    def begin(self):
        """Begin a (nested) transaction; prefer ``with store.transaction():``."""
        self._call(core.rf_store_begin)

    def commit(self):
        self._call(core.rf_store_commit)

    def rollback(self):
        self._call(core.rf_store_rollback)

    @property
    def transaction_depth(self):
        return self._call(core.rf_store_transaction_depth)

    @contextlib.contextmanager
    def transaction(self):
        """Run the block in a transaction: commit at the end, roll back on an exception.

        The lock is held for the whole block, so other threads wait for it.
        """
        with self._lock:
            self.begin()
            try:
                yield self
            except BaseException:
                self.rollback()
                raise
            else:
                self.commit()

    # --- contacts and journal ------------------------------------------------------

    def contact_key(self, contact):
        """The pseudonymous key of an e-mail address or phone number in this practice."""
        return self._call(core.rf_contact_key, _text(contact, "contact"))

    def journal(self, after=0):
        """Iterate over the journal events after sequence number ``after`` (the cursor)."""
        if isinstance(after, bool) or not isinstance(after, int):
            raise TypeError(f"after must be an int sequence number, not {type(after).__name__}")
        with self._lock:
            h = core.rf_journal_read(self._handle(), after)
            return _Iterator(self, h, Event._from_c, core.rf_journal_iter_free)

    def journal_last_seq(self):
        """The sequence number of the newest event (0 when there is none)."""
        return self._call(core.rf_journal_last_seq)


class Parties:
    """``store.parties``: clients, leads, partners and staff."""

    def __init__(self, store):
        self._store = store

    @staticmethod
    def _options(kind=None, display_name=None, email=None, phone=None, external_id=None, consent=None,
                 payer=None, segment=None, practitioner=None, first_visit_at=None, intake=None,
                 intake_detail=None, idempotency_key=None, preferred_channel=None):
        return {
            "kind": None if kind is None else int(PartyKind.coerce(kind, "kind")),
            "display_name": display_name,
            "email": email,
            "phone": phone,
            "external_id": external_id,
            "consent": None if consent is None else consent_flags(consent),
            "payer": None if payer is None else int(Payer.coerce(payer, "payer")),
            "segment": segment,
            "practitioner_id": None if practitioner is None else _party_id(practitioner, "practitioner"),
            "first_visit_at": None if first_visit_at is None else to_seconds(first_visit_at, "first_visit_at"),
            "intake": None if intake is None else int(Intake.coerce(intake, "intake")),
            "intake_detail": intake_detail,
            "idempotency_key": idempotency_key,
            "preferred_channel": None if preferred_channel is None else int(
                Channel.coerce(preferred_channel, "preferred_channel")),
        }

    def add(self, kind="CLIENT", display_name=None, *, email=None, phone=None, external_id=None, consent=None,
            payer=None, segment=None, practitioner=None, first_visit_at=None, intake=None, intake_detail=None,
            idempotency_key=None, preferred_channel=None):
        """Add a party and return it.

        ``kind``: "CLIENT", "LEAD", "PARTNER", "STAFF" (any case) or PartyKind;
        ``consent``: a set of "contact", "named", "share_contact" or int flags;
        ``practitioner``: a STAFF Party or its id; ``first_visit_at``: datetime
        or int seconds; ``preferred_channel``: the Channel the party prefers
        to hear on ("sms", "email", "in_person", ...); ``idempotency_key``: a
        retry with the same key returns the first party and changes nothing.
        """
        opts = self._options(kind, display_name, email, phone, external_id, consent, payer, segment,
                             practitioner, first_visit_at, intake, intake_detail, idempotency_key,
                             preferred_channel)
        return Party._from_c(self._store._call(core.rf_party_add, opts))

    def update(self, party, *, kind=None, display_name=None, email=None, phone=None, external_id=None,
               consent=None, payer=None, segment=None, practitioner=None, first_visit_at=None, intake=None,
               intake_detail=None, idempotency_key=None, preferred_channel=None):
        """Change the given fields of a party (a Party or an id) and return it.

        None leaves a field as it is; "" clears an optional text field and
        first_visit_at=0 clears the first visit. Only LEAD → CLIENT may change kind.
        """
        changes = self._options(kind, display_name, email, phone, external_id, consent, payer, segment,
                                practitioner, first_visit_at, intake, intake_detail, idempotency_key,
                                preferred_channel)
        return Party._from_c(self._store._call(core.rf_party_update, _party_id(party), changes))

    def get(self, id):
        """The party with this id; NotFound otherwise."""
        return Party._from_c(self._store._call(core.rf_party_get, _party_id(id, "id")))

    def find_external(self, external_id):
        """The party with this host external id; NotFound otherwise."""
        return Party._from_c(self._store._call(core.rf_party_find_external, _text(external_id, "external_id")))

    def list(self, kind=None, contact=None):
        """Iterate over the parties in the order they were added, optionally only
        of one ``kind`` or with one e-mail/phone ``contact``."""
        flt = {"kind": None if kind is None else int(PartyKind.coerce(kind, "kind")),
               "contact": None if contact is None else _text(contact, "contact")}
        store = self._store
        with store._lock:
            h = core.rf_party_list(store._handle(), flt)
            return _Iterator(store, h, Party._from_c, core.rf_party_iter_free)

    def __iter__(self):
        return self.list()

    def contact_key(self, contact):
        """See Store.contact_key()."""
        return self._store.contact_key(contact)


class Codes:
    """``store.codes``: referral codes and links."""

    def __init__(self, store):
        self._store = store

    def _code(self, h):
        return Code._from_c(h, core.rf_store_now(self._store._handle()))

    def _call(self, fn, *args):
        store = self._store
        with store._lock:
            return self._code(store._call(fn, *args))

    def issue(self, owner, style="vanity", vanity_base=None, program_id=None, channel=None, expires_at=None,
              max_uses=None, idempotency_key=None):
        """Issue a code owned by ``owner`` (a Party or id) and return it.

        ``style``: "vanity" (a slug from the name, or ``vanity_base``) or
        "short"; ``channel``: "sms", "email", ... or Channel; ``expires_at``:
        datetime or int seconds; ``max_uses``: 1 for a single-use coupon.
        """
        opts = {
            "style": None if style is None else int(CodeStyle.coerce(style, "style")),
            "vanity_base": vanity_base,
            "program_id": program_id,
            "channel": None if channel is None else int(Channel.coerce(channel, "channel")),
            "expires_at": None if expires_at is None else to_seconds(expires_at, "expires_at"),
            "max_uses": max_uses,
            "idempotency_key": idempotency_key,
        }
        return self._call(core.rf_code_issue, _party_id(owner, "owner"), opts)

    def lookup(self, text):
        """Find a code however typed, whatever its state."""
        return self._call(core.rf_code_lookup, _code_text(text))

    def resolve(self, text):
        """Find a code that can be used now; IllegalTransition if revoked, expired or used up."""
        return self._call(core.rf_code_resolve, _code_text(text))

    def use(self, text, idempotency_key=None):
        """Count one use of a code and return it."""
        return self._call(core.rf_code_use, _code_text(text), idempotency_key)

    def revoke(self, text, reason=None, idempotency_key=None):
        """Revoke a code and return it."""
        return self._call(core.rf_code_revoke, _code_text(text), reason, idempotency_key)

    def list(self, owner):
        """Iterate over the codes of ``owner`` (a Party or id), oldest first."""
        store = self._store
        with store._lock:
            h = core.rf_code_list(store._handle(), _party_id(owner, "owner"))
            return _Iterator(store, h, self._code, core.rf_code_iter_free)
