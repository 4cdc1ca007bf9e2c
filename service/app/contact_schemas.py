"""How a person wants to hear from us: the shape every door reads it with, and the rules for an
email address, a phone number and a postal address (422 naming the field when one is wrong).

Each rule is one regular expression, written into the OpenAPI document as the field's pattern and
used as it stands to check the field, so the document and the check cannot disagree. A way chosen
without the detail it needs is the domain's rule (409), since one field cannot say it alone.
"""

from __future__ import annotations

import re

from marshmallow import Schema, fields, pre_load, validate

from domain.keeping_posted import HowOften, Topic, Way
from service.app.schemas import one_of

EMAIL = r"^(|[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24})$"
PHONE = r"^(|\+?(?:[0-9] ?){9,14}[0-9])$"  # 10 to 15 digits, single spaces between them
LINE = r"[!-~\u00c0-\u00ff][ -~\u00c0-\u00ff]{0,79}"  # one address line: printable, Latin letters, up to 80
POSTCODE = r"[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}"
POSTAL_ADDRESS = rf"^(|(?:{LINE}\n){{2,6}}{POSTCODE})$"  # 3 to 7 lines, a UK postcode last (as Notify's letters)


def _matching(pattern: str, error: str) -> fields.String:
    return fields.String(load_default="", validate=validate.Regexp(pattern, error=error),
                         metadata={"pattern": pattern})


class ContactIn(Schema):
    """Which ways (none is a choice), about what, how often, and the details those ways need."""

    ways = fields.List(fields.String(validate=one_of(Way)), load_default=list, validate=validate.Length(max=4))
    topics = fields.List(fields.String(validate=one_of(Topic)), load_default=lambda: [t.value for t in Topic],
                         validate=validate.Length(max=4))
    how_often = fields.String(load_default=HowOften.EACH_TIME.value, validate=one_of(HowOften))
    email = _matching(EMAIL, "must be an email address, such as name@example.org")
    phone = _matching(PHONE, "must be a phone number of 10 to 15 digits, such as 07700 900123")
    postal_address = _matching(POSTAL_ADDRESS, "must be 3 to 7 lines of up to 80 letters, digits or signs, "
                                               "with a UK postcode such as CB1 2AB on the last line")

    @pre_load
    def _tidy(self, data: dict, **_) -> dict:
        """Spaces around a detail, and a form's line endings and blank lines, are not part of it."""
        if not isinstance(data, dict):
            return data
        tidied = dict(data)
        for name in ("email", "phone"):
            if isinstance(tidied.get(name), str):
                tidied[name] = tidied[name].strip()
        address = tidied.get("postal_address")
        if isinstance(address, str):
            tidied["postal_address"] = "\n".join(line.strip() for line in re.split(r"\r\n|\r|\n", address)
                                                 if line.strip())
        return tidied


class HandOverIn(Schema):
    """Which news was given out, at which session of the hub."""

    session_id = fields.UUID(required=True)
    message_keys = fields.List(fields.String(validate=validate.Length(min=1, max=200)), required=True,
                               validate=validate.Length(min=1, max=500))
