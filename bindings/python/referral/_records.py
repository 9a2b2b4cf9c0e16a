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

def _names(c_fields):
    """The attribute names of a ``_c_fields`` table, in its order."""
    return tuple(name for name, _getter, _convert in c_fields)


def _dt_property(name):
    """A read-only property: the int-seconds attribute ``name`` as an aware UTC datetime."""
    return property(lambda self: to_datetime(getattr(self, name)),
                    doc=f"``{name}`` as an aware UTC datetime (None when unset).")


class _Record:
    """A record read once from its C handle, with equality, hash, to_dict and repr.

    A subclass declares, as class attributes:

    ``_c_fields``
        one ``(attribute, C getter, converter)`` per field: ``_from_c`` sets
        ``attribute = converter(getter(h))`` in that order (None: no converter);
    ``_fields``
        the public field names, usually ``_names(_c_fields)``: what equality
        and ``to_dict`` compare and list (in that order); the first is hashed;
    ``_repr``
        what its repr shows after the class name, a ``str.format`` template
        over ``self``, e.g. ``"{self.id} {self.kind}"``.

    Time fields get their ``*_dt`` datetime property from ``_dt_property``.
    """

    __slots__ = ()
    _c_fields = ()
    _fields = ()
    _repr = ""

    @classmethod
    def _from_c(cls, h):
        record = cls.__new__(cls)
        record._read(h)
        return record

    def _read(self, h):
        for name, getter, convert in self._c_fields:
            value = getter(h)
            setattr(self, name, value if convert is None else convert(value))

    def to_dict(self):
        """The record's fields as a dict: enums as their names, sets as sorted
        lists of names, enum-keyed dicts keyed by name, lists copied."""
        out = {}
        for name in self._fields:
            value = getattr(self, name)
            if isinstance(value, _CEnum):
                value = value.name
            elif isinstance(value, frozenset):
                value = sorted(str(v) for v in value)
            elif isinstance(value, dict):
                value = {str(k): v for k, v in value.items()}
            elif isinstance(value, list):
                value = list(value)
            out[name] = value
        return out

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self._fields)

    def __hash__(self):
        return hash((type(self).__name__, getattr(self, self._fields[0])))

    def __repr__(self):
        return f"<{type(self).__name__} {self._repr.format(self=self)}>"


class Party(_Record):
    """A client, lead, partner or staff member.

    ``email`` and ``phone`` are personal data (normalised: lower-case e-mail,
    E.164 phone); ``email_key`` / ``phone_key`` are their pseudonymous keys.
    ``consent`` is a frozenset of "contact", "named", "share_contact";
    ``preferred_channel`` the Channel it prefers to hear on (None: not said).
    """

    _c_fields = (
        ("id", core.rf_party_id, None),
        ("kind", core.rf_party_get_kind, PartyKind._from_c),
        ("external_id", core.rf_party_external_id, None),
        ("display_name", core.rf_party_display_name, None),
        ("email", core.rf_party_email, None),
        ("phone", core.rf_party_phone, None),
        ("email_key", core.rf_party_email_key, None),
        ("phone_key", core.rf_party_phone_key, None),
        ("consent", core.rf_party_consent, consent_names),
        ("payer", core.rf_party_payer, Payer._from_c),
        ("segment", core.rf_party_segment, None),
        ("practitioner_id", core.rf_party_practitioner_id, None),
        ("first_visit_at", core.rf_party_first_visit_at, _optional_time),
        ("intake", core.rf_party_intake, Intake._from_c),
        ("intake_detail", core.rf_party_intake_detail, None),
        ("preferred_channel", core.rf_party_preferred_channel, Channel._from_c),
        ("created_at", core.rf_party_created_at, None),
        ("updated_at", core.rf_party_updated_at, None),
    )
    _fields = _names(_c_fields)
    __slots__ = _fields
    _repr = "{self.id} {self.kind}"  # no personal data in a repr: it ends up in logs

    created_at_dt = _dt_property("created_at")
    updated_at_dt = _dt_property("updated_at")
    first_visit_at_dt = _dt_property("first_visit_at")

    @property
    def consent_flags(self):
        """The consent as C flags (Consent)."""
        return Consent(consent_flags(self.consent))


def _use_limit(max_uses):
    """A code's C max_uses: 0 means no limit (None)."""
    return max_uses if max_uses > 0 else None


class Code(_Record):
    """A referral code. ``state`` is its state at the store's time when it was read."""

    _c_fields = (
        ("id", core.rf_code_id, None),
        ("text", core.rf_code_text, None),
        ("style", core.rf_code_get_style, CodeStyle._from_c),
        ("owner_id", core.rf_code_owner_id, None),
        ("program_id", core.rf_code_program_id, None),
        ("channel", core.rf_code_channel, Channel._from_c),
        ("created_at", core.rf_code_created_at, None),
        ("expires_at", core.rf_code_expires_at, _optional_time),
        ("revoked_at", core.rf_code_revoked_at, _optional_time),
        ("revoke_reason", core.rf_code_revoke_reason, None),
        ("max_uses", core.rf_code_max_uses, _use_limit),
        ("uses", core.rf_code_uses, None),
    )
    _fields = _names(_c_fields) + ("state",)  # state depends on the time too: see _from_c
    __slots__ = _fields + ("_h",)
    _repr = "{self.text!r} {self.state}"

    created_at_dt = _dt_property("created_at")
    expires_at_dt = _dt_property("expires_at")
    revoked_at_dt = _dt_property("revoked_at")

    @classmethod
    def _from_c(cls, h, now):
        c = super()._from_c(h)
        c._h = h
        c.state = CodeState._from_c(core.rf_code_state_at(h, now))
        return c

    def state_at(self, at):
        """The code's state at ``at`` (datetime or int seconds), as this record has it."""
        return CodeState._from_c(core.rf_code_state_at(self._h, to_seconds(at, "at")))

    def __str__(self):
        return self.text


class Event(_Record):
    """A journal event: ``type`` such as "party.added", ids, time; never personal data."""

    _c_fields = (
        ("seq", core.rf_event_seq, None),
        ("type", core.rf_event_type, None),
        ("subject_id", core.rf_event_subject_id, None),
        ("object_id", core.rf_event_object_id, None),
        ("at", core.rf_event_at, None),
        ("idempotency_key", core.rf_event_idempotency_key, None),
        ("data", core.rf_event_data, None),
    )
    _fields = _names(_c_fields)
    __slots__ = _fields
    _repr = "{self.seq} {self.type} {self.subject_id}"

    at_dt = _dt_property("at")
