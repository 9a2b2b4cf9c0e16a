"""Records and value conversions of the referral facade.

Party, Code and Event are plain Python objects: the C record is read once when
it comes back from the library, so they stay valid after the store is closed.
Enumerations compare equal to their C names ("CLIENT", "SMS") and int() gives
the C value. Timestamps are int seconds since 1970 (UTC); the ``*_dt``
properties give aware datetimes.
"""

import datetime as _dt
import enum

from . import core

__all__ = [
    "PartyKind", "Payer", "Intake", "CodeStyle", "Channel", "CodeState", "Consent",
    "Party", "Code", "Event",
]

_UTC = _dt.timezone.utc


# --- enumerations -------------------------------------------------------------

class _CEnum(str, enum.Enum):
    """A C enum member by name.

    Compares equal to its name (``PartyKind.CLIENT == "CLIENT"``); ``int(m)``
    is the C value. ``coerce`` accepts a member, a name in any case (``"client"``,
    ``"in-person"``) or the C int.
    """

    def __str__(self):
        return self.value

    __format__ = str.__format__

    def __int__(self):
        return type(self)._c_of[self]

    @property
    def c_value(self):
        """The C enum value."""
        return type(self)._c_of[self]

    @classmethod
    def coerce(cls, value, what=None):
        """The member for ``value`` (member, name or C int).

        An unknown name or value raises InvalidArgument (a ValueError); a
        value of another type raises TypeError.
        """
        what = what or cls.__name__
        if isinstance(value, cls):
            return value
        if isinstance(value, bool):
            raise TypeError(f"{what} must be a {cls.__name__} name or int, not bool")
        if isinstance(value, int):
            try:
                return cls._by_c[value]
            except KeyError:
                raise core.InvalidArgument(f"{what} {value} is not a {cls.__name__} value") from None
        if isinstance(value, str):
            key = value.strip().upper().replace("-", "_").replace(" ", "_")
            try:
                return cls[key]
            except KeyError:
                names = ", ".join(m.name for m in cls)
                raise core.InvalidArgument(f"{what} {value!r} is not one of {names}") from None
        raise TypeError(f"{what} must be a {cls.__name__} name or int, not {type(value).__name__}")

    @classmethod
    def _from_c(cls, value):
        """The member for a C value; None for the *_UNSET value (0) or an unknown one."""
        return cls._by_c.get(value)


def _c_enum(prefix):
    """Bind each member NAME of the decorated enum to the C constant prefix + NAME."""

    def bind(cls):
        cls._c_of = {m: getattr(core, prefix + m.name) for m in cls}
        cls._by_c = {v: m for m, v in cls._c_of.items()}
        return cls

    return bind


@_c_enum("RF_PARTY_")
class PartyKind(_CEnum):
    CLIENT = "CLIENT"
    LEAD = "LEAD"
    PARTNER = "PARTNER"
    STAFF = "STAFF"


@_c_enum("RF_PAYER_")
class Payer(_CEnum):
    SELF_PAY = "SELF_PAY"
    PRIVATE_INSURANCE = "PRIVATE_INSURANCE"
    FEDERAL = "FEDERAL"
    OTHER = "OTHER"


@_c_enum("RF_INTAKE_")
class Intake(_CEnum):
    FRIEND_OR_FAMILY = "FRIEND_OR_FAMILY"
    HEALTH_PROFESSIONAL = "HEALTH_PROFESSIONAL"
    SEARCH = "SEARCH"
    SOCIAL_MEDIA = "SOCIAL_MEDIA"
    ADVERT = "ADVERT"
    WALK_IN = "WALK_IN"
    EVENT = "EVENT"
    INSURER = "INSURER"
    EMPLOYER = "EMPLOYER"
    OTHER = "OTHER"


@_c_enum("RF_CODE_")
class CodeStyle(_CEnum):
    VANITY = "VANITY"
    SHORT = "SHORT"


@_c_enum("RF_CHANNEL_")
class Channel(_CEnum):
    IN_PERSON = "IN_PERSON"
    PHONE = "PHONE"
    SMS = "SMS"
    EMAIL = "EMAIL"
    SOCIAL = "SOCIAL"
    LINK = "LINK"
    CARD = "CARD"
    LETTER = "LETTER"
    PORTAL = "PORTAL"


@_c_enum("RF_CODE_")
class CodeState(_CEnum):
    ACTIVE = "ACTIVE"
    REVOKED = "REVOKED"
    EXPIRED = "EXPIRED"
    USED_UP = "USED_UP"


class Consent(enum.IntFlag):
    """Consent flags; ``Party.consent`` gives them as a frozenset of lower-case names."""

    NONE = core.RF_CONSENT_NONE
    CONTACT = core.RF_CONSENT_CONTACT
    NAMED = core.RF_CONSENT_NAMED
    SHARE_CONTACT = core.RF_CONSENT_SHARE_CONTACT


_CONSENT_NAMES = {"contact": Consent.CONTACT, "named": Consent.NAMED, "share_contact": Consent.SHARE_CONTACT}


def consent_flags(value):
    """C flags for ``value``: an int / Consent, a name, or an iterable of names."""
    if isinstance(value, bool):
        raise TypeError("consent must be a set of names or int flags, not bool")
    if isinstance(value, int):
        return int(value)
    if isinstance(value, str):
        value = [value]
    flags = 0
    try:
        items = list(value)
    except TypeError:
        raise TypeError(f"consent must be a set of names or int flags, not {type(value).__name__}") from None
    for item in items:
        if isinstance(item, Consent):
            flags |= int(item)
            continue
        if not isinstance(item, str):
            raise TypeError(f"consent names must be str, not {type(item).__name__}")
        key = item.strip().lower().replace("-", "_").replace(" ", "_")
        if key == "all":
            flags |= core.RF_CONSENT_ALL
        elif key in _CONSENT_NAMES:
            flags |= int(_CONSENT_NAMES[key])
        else:
            raise core.InvalidArgument(f"consent {item!r} is not one of contact, named, share_contact")
    return flags


def consent_names(flags):
    """The frozenset of names of the C consent flags."""
    return frozenset(name for name, flag in _CONSENT_NAMES.items() if flags & int(flag))


# --- time ----------------------------------------------------------------------

def to_seconds(value, what="time"):
    """int seconds (UTC) for a datetime (naive means UTC) or an int."""
    if isinstance(value, bool):
        raise TypeError(f"{what} must be a datetime or int seconds, not bool")
    if isinstance(value, int):
        return int(value)
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            value = value.replace(tzinfo=_UTC)
        return int(value.timestamp() // 1)
    raise TypeError(f"{what} must be a datetime or int seconds, not {type(value).__name__}")


def to_duration(value, what="duration"):
    """int seconds for a timedelta or an int."""
    if isinstance(value, bool):
        raise TypeError(f"{what} must be a timedelta or int seconds, not bool")
    if isinstance(value, int):
        return int(value)
    if isinstance(value, _dt.timedelta):
        return int(value.total_seconds() // 1)
    raise TypeError(f"{what} must be a timedelta or int seconds, not {type(value).__name__}")


def to_datetime(seconds):
    """An aware UTC datetime for int seconds; None for None."""
    if seconds is None:
        return None
    return _dt.datetime.fromtimestamp(seconds, _UTC)


_TIME_NONE = 0  # RF_TIME_NONE (a cast macro SWIG does not wrap)


def _optional_time(seconds):
    """RF_TIME_NONE means "never set"."""
    return None if seconds == _TIME_NONE else seconds


# --- records -----------------------------------------------------------------------

class _Record:
    """Equality and to_dict over the names in ``_fields``."""

    __slots__ = ()
    _fields = ()

    def to_dict(self):
        """The record's fields as a dict (enums as their names, sets as sorted lists)."""
        out = {}
        for name in self._fields:
            value = getattr(self, name)
            if isinstance(value, _CEnum):
                value = value.name
            elif isinstance(value, frozenset):
                value = sorted(value)
            out[name] = value
        return out

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self._fields)

    def __hash__(self):
        return hash((type(self).__name__, getattr(self, self._fields[0])))


class Party(_Record):
    """A client, lead, partner or staff member.

    ``email`` and ``phone`` are personal data (normalised: lower-case e-mail,
    E.164 phone); ``email_key`` / ``phone_key`` are their pseudonymous keys.
    ``consent`` is a frozenset of "contact", "named", "share_contact".
    """

    _fields = ("id", "kind", "external_id", "display_name", "email", "phone", "email_key", "phone_key",
               "consent", "payer", "segment", "practitioner_id", "first_visit_at", "intake", "intake_detail",
               "created_at", "updated_at")
    __slots__ = _fields

    @classmethod
    def _from_c(cls, h):
        p = cls.__new__(cls)
        p.id = core.rf_party_id(h)
        p.kind = PartyKind._from_c(core.rf_party_get_kind(h))
        p.external_id = core.rf_party_external_id(h)
        p.display_name = core.rf_party_display_name(h)
        p.email = core.rf_party_email(h)
        p.phone = core.rf_party_phone(h)
        p.email_key = core.rf_party_email_key(h)
        p.phone_key = core.rf_party_phone_key(h)
        p.consent = consent_names(core.rf_party_consent(h))
        p.payer = Payer._from_c(core.rf_party_payer(h))
        p.segment = core.rf_party_segment(h)
        p.practitioner_id = core.rf_party_practitioner_id(h)
        p.first_visit_at = _optional_time(core.rf_party_first_visit_at(h))
        p.intake = Intake._from_c(core.rf_party_intake(h))
        p.intake_detail = core.rf_party_intake_detail(h)
        p.created_at = core.rf_party_created_at(h)
        p.updated_at = core.rf_party_updated_at(h)
        return p

    @property
    def consent_flags(self):
        """The consent as C flags (Consent)."""
        return Consent(consent_flags(self.consent))

    @property
    def created_at_dt(self):
        return to_datetime(self.created_at)

    @property
    def updated_at_dt(self):
        return to_datetime(self.updated_at)

    @property
    def first_visit_at_dt(self):
        return to_datetime(self.first_visit_at)

    def __repr__(self):
        # No personal data in a repr: it ends up in logs.
        return f"<Party {self.id} {self.kind}>"


class Code(_Record):
    """A referral code. ``state`` is its state at the store's time when it was read."""

    _fields = ("id", "text", "style", "owner_id", "program_id", "channel", "created_at", "expires_at",
               "revoked_at", "revoke_reason", "max_uses", "uses", "state")
    __slots__ = _fields + ("_h",)

    @classmethod
    def _from_c(cls, h, now):
        c = cls.__new__(cls)
        c._h = h
        c.id = core.rf_code_id(h)
        c.text = core.rf_code_text(h)
        c.style = CodeStyle._from_c(core.rf_code_get_style(h))
        c.owner_id = core.rf_code_owner_id(h)
        c.program_id = core.rf_code_program_id(h)
        c.channel = Channel._from_c(core.rf_code_channel(h))
        c.created_at = core.rf_code_created_at(h)
        c.expires_at = _optional_time(core.rf_code_expires_at(h))
        c.revoked_at = _optional_time(core.rf_code_revoked_at(h))
        c.revoke_reason = core.rf_code_revoke_reason(h)
        max_uses = core.rf_code_max_uses(h)
        c.max_uses = max_uses if max_uses > 0 else None
        c.uses = core.rf_code_uses(h)
        c.state = CodeState._from_c(core.rf_code_state_at(h, now))
        return c

    def state_at(self, at):
        """The code's state at ``at`` (datetime or int seconds), as this record has it."""
        return CodeState._from_c(core.rf_code_state_at(self._h, to_seconds(at, "at")))

    @property
    def created_at_dt(self):
        return to_datetime(self.created_at)

    @property
    def expires_at_dt(self):
        return to_datetime(self.expires_at)

    @property
    def revoked_at_dt(self):
        return to_datetime(self.revoked_at)

    def __str__(self):
        return self.text

    def __repr__(self):
        return f"<Code {self.text!r} {self.state}>"


class Event(_Record):
    """A journal event: ``type`` such as "party.added", ids, time; never personal data."""

    _fields = ("seq", "type", "subject_id", "object_id", "at", "idempotency_key", "data")
    __slots__ = _fields

    @classmethod
    def _from_c(cls, h):
        e = cls.__new__(cls)
        e.seq = core.rf_event_seq(h)
        e.type = core.rf_event_type(h)
        e.subject_id = core.rf_event_subject_id(h)
        e.object_id = core.rf_event_object_id(h)
        e.at = core.rf_event_at(h)
        e.idempotency_key = core.rf_event_idempotency_key(h)
        e.data = core.rf_event_data(h)
        return e

    @property
    def at_dt(self):
        return to_datetime(self.at)

    def __repr__(self):
        return f"<Event {self.seq} {self.type} {self.subject_id}>"
