"""Form fields as the pages show them, and reading a posted form through the API's own schemas."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate
from werkzeug.datastructures import MultiDict


@dataclass(frozen=True)
class Field:
    """One question on a form. `kind`: text, textarea, date, number, radios, checkboxes or select."""

    name: str
    label: str
    kind: str = "text"
    hint: str = ""
    options: tuple[tuple[str, ...], ...] = ()  # (value, text) or (value, text, a line explaining it)


class FormInvalid(Exception):
    """The form was not valid: a message per field, in plain words."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.errors = errors


CHOICES = ("radios", "checkboxes", "select")
LENGTH = re.compile(r"^Length must be between 1 and (\d+)\.$")
LONGER = re.compile(r"^Longer than maximum length (\d+)\.$")
ORDERED = re.compile(r"^must be (on or after|after) (\w+)$")  # a rule across two fields (schemas.in_order)


def _plain(message: str, question: Field, field: fields.Field | None, labels: dict[str, str]) -> str:
    """marshmallow's message, said the way the form asks the question (`labels`: the form's other
    questions, by the names a rule across two fields gives them)."""
    label, too_long = question.label, LENGTH.match(message)
    if isinstance(field, fields.List) and (too_long or message.startswith("Missing data")):
        return f"Choose at least one: {label}"
    if message in ("Missing data for required field.", "Field may not be null."):
        return f"Choose an answer to: {label}" if question.kind in CHOICES else f"Answer the question: {label}"
    if too_long:
        return f"{label} must be {too_long.group(1)} characters or fewer"
    if longer := LONGER.match(message):
        return f"{label} must be {longer.group(1)} characters or fewer"
    if (ordered := ORDERED.match(message)) and ordered.group(2) in labels:
        return f"{label} must be {ordered.group(1)} {labels[ordered.group(2)]}"
    if message == "Not a valid date.":
        return f"{label} must be a real date, like 2024-03-27"
    if message == "Not a valid integer.":
        return f"{label} must be a whole number"
    if isinstance(field, fields.Number) and message.startswith("Must be "):
        bounds = next((v for v in field.validators if isinstance(v, validate.Range)), None)
        if bounds and bounds.min_inclusive and bounds.max_inclusive:
            return f"{_between(bounds)}: {label}"
    return f"{label}: {message[0].lower()}{message[1:].rstrip('.')}"


def _between(bounds: validate.Range) -> str:
    """A number's range as a form asks for it: "Enter a number from 0 to 100,000"."""
    if bounds.min is not None and bounds.max is not None:
        return f"Enter a number from {bounds.min:,} to {bounds.max:,}"
    return f"Enter a number of {bounds.min:,} or more" if bounds.min is not None else \
        f"Enter a number of {bounds.max:,} or less"


def read(schema: Schema, form: MultiDict, questions: list[Field]) -> dict[str, Any]:
    """The form's answers loaded by `schema`; blank answers count as not given, and spaces around an
    answer go, except in a secret (a password: a field never answered back), which is taken exactly
    as typed, as signing in takes it. Raises FormInvalid."""
    asked = {q.name: q for q in questions}
    raw: dict[str, Any] = {}
    for name, field in schema.fields.items():
        if isinstance(field, fields.List):
            values = [v for v in form.getlist(name) if v.strip()]
            if values or name in asked:
                raw[name] = values
        elif field.load_only and form.get(name):
            raw[name] = form[name]
        elif form.get(name, "").strip():
            raw[name] = form[name].strip()
        elif name in asked and field.required:
            raw[name] = None
    try:
        return schema.load(raw)
    except ValidationError as invalid:
        raise FormInvalid(plain_errors(invalid, schema, questions)) from None


def plain_errors(invalid: ValidationError, schema: Schema, questions: list[Field]) -> dict[str, str]:
    """marshmallow's errors said the way the form asks each question, in the order the form asks them."""
    asked = {q.name: q for q in questions}
    errors = invalid.normalized_messages()
    order = [q.name for q in questions] + [name for name in errors if name not in asked]
    labels = {name: question.label for name, question in asked.items()}
    return {name: _plain(_first(errors[name]), asked.get(name) or Field(name, name.replace("_", " ")),
                         _field(schema, name), labels) for name in order if name in errors}


def _field(schema: Schema, name: str) -> fields.Field | None:
    """A schema's field by the name the form posts (its data_key, where it has one)."""
    return next((f for key, f in schema.fields.items() if (f.data_key or key) == name), None)


def _first(message: Any) -> str:
    while isinstance(message, (list, dict)):
        message = next(iter(message.values())) if isinstance(message, dict) else message[0]
    return str(message)
