"""Message templates: where a template comes from, the Template record, the
message names, and a rendered message.

A Template is a plain Python object read once from the C template, like Task,
so it stays valid after the store is closed. A Rendered message holds
personal data (names, contact details): its repr shows only sizes, since
reprs end up in logs.
"""

import typing

from . import core
from ._records import _c_enum, _CEnum, _dt_property, _names, _optional_time, _Record

__all__ = ["TemplateSource", "Template", "Rendered", "TEMPLATE_NAMES"]


def _message_names():
    names = []
    while True:
        name = core.rf_template_name_at(len(names))
        if name is None:
            return tuple(names)
        names.append(name)


#: The message names in the library's fixed order: "thank_referrer",
#: "referee_intro.1" .. ".3", the partner updates, ..., "ask.<channel>.<new|long>".
TEMPLATE_NAMES = _message_names()


@_c_enum("RF_TEMPLATE_")
class TemplateSource(_CEnum):
    """Where the template that applies comes from: libreferral's own words, the
    practice's, or one programme's."""

    BUILT_IN = "BUILT_IN"
    PRACTICE = "PRACTICE"
    PROGRAM = "PROGRAM"


class Template(_Record):
    """The words of message ``name``: ``body`` and an optional e-mail
    ``subject`` (None: none), in the template language (``{{recipient.first_name}}``,
    ``{{code.link|a fallback}}``). ``source`` says whose words they are;
    ``program_id`` is the programme they were saved for (None: practice-wide
    or built in); ``updated_at`` when they were saved (None: built in)."""

    _c_fields = (
        ("name", core.rf_template_name, None),
        ("program_id", core.rf_template_program_id, None),
        ("source", core.rf_template_get_source, TemplateSource._from_c),
        ("subject", core.rf_template_subject, None),
        ("body", core.rf_template_body, None),
        ("updated_at", core.rf_template_updated_at, _optional_time),
    )
    _fields = _names(_c_fields)
    __slots__ = _fields
    _repr = "{self.name} {self.source}"

    updated_at_dt = _dt_property("updated_at")

    @property
    def is_built_in(self):
        """True for libreferral's own words."""
        return self.source is TemplateSource.BUILT_IN


class Rendered(typing.NamedTuple):
    """A task's message as its recipient gets it: ``subject`` (None when the
    template has none) and ``body``, values escaped for the task's channel
    (HTML for e-mail). Unpacks as ``subject, body = store.outbox.render(task)``."""

    subject: typing.Optional[str]
    body: str

    def to_dict(self):
        """{"subject": ..., "body": ...}."""
        return {"subject": self.subject, "body": self.body}

    def __repr__(self):
        subject = "no subject" if self.subject is None else f"subject {len(self.subject)} chars"
        return f"<Rendered {subject}, body {len(self.body)} chars>"
