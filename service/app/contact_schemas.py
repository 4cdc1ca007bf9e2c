"""How a person wants to hear from us: the shape every door reads it with, and the rules for an
email address, a phone number and a postal address (422 naming the field when one is wrong)."""

from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from domain.keeping_posted import NEEDS, HowOften, Topic, Way
from service.app.schemas import one_of

PHONE = re.compile(r"^\+?[0-9][0-9 ]{8,18}[0-9]$")  # 10 to 15 digits, spaces allowed between them
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$", re.IGNORECASE)  # a UK postcode
MOST_LINES = 7  # GOV.UK Notify's letters take up to 7 address lines, the postcode last


def _phone(value: str) -> None:
    digits = value.replace(" ", "").removeprefix("+")
    if not PHONE.match(value) or not 10 <= len(digits) <= 15:
        raise ValidationError("must be a phone number of 10 to 15 digits, such as 07700 900123")


def _postal_address(value: str) -> None:
    lines = [line.strip() for line in value.strip().splitlines() if line.strip()]
    if any(not ch.isprintable() for line in lines for ch in line):
        raise ValidationError("must be plain lines of text")
    if not 3 <= len(lines) <= MOST_LINES or any(len(line) > 80 for line in lines):
        raise ValidationError(f"must be 3 to {MOST_LINES} lines of up to 80 characters, the postcode last")
    if not POSTCODE.match(lines[-1]):
        raise ValidationError("must end with a UK postcode on its own line, such as CB1 2AB")


class ContactIn(Schema):
    """Which ways (none is a choice), about what, how often, and the details those ways need."""

    ways = fields.List(fields.String(validate=one_of(Way)), load_default=list, validate=validate.Length(max=4))
    topics = fields.List(fields.String(validate=one_of(Topic)), load_default=lambda: [t.value for t in Topic],
                         validate=validate.Length(max=4))
    how_often = fields.String(load_default=HowOften.EACH_TIME.value, validate=one_of(HowOften))
    email = fields.String(load_default="", validate=validate.Length(max=254))
    phone = fields.String(load_default="", validate=validate.Length(max=30))
    postal_address = fields.String(load_default="", validate=validate.Length(max=600))

    @validates_schema
    def _details(self, data: dict, **_) -> None:
        errors: dict[str, list[str]] = {}
        checks = {"email": validate.Email(error="must be an email address, such as name@example.org"),
                  "phone": _phone, "postal_address": _postal_address}
        for name, check in checks.items():
            data[name] = data.get(name, "").strip()
            if data[name]:
                try:
                    check(data[name])
                except ValidationError as wrong:
                    errors[name] = wrong.messages if isinstance(wrong.messages, list) else [str(wrong.messages)]
        for way in data.get("ways", []):
            needed = NEEDS.get(Way(way)) if way in {w.value for w in Way} else None
            if needed and not data.get(needed) and needed not in errors:
                errors[needed] = [f"is needed to hear by {way}"]
        if errors:
            raise ValidationError(errors)


class HandOverIn(Schema):
    """Which news was given out, at which session of the hub."""

    session_id = fields.UUID(required=True)
    message_keys = fields.List(fields.String(validate=validate.Length(min=1, max=200)), required=True,
                               validate=validate.Length(min=1, max=500))
