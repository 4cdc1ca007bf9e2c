"""flask-smorest's Blueprint: JSON bodies read with care, and its pagination header documented as what it is."""

from __future__ import annotations

from typing import Any

from flask import Request
from flask_smorest import Blueprint as SmorestBlueprint
from flask_smorest import abort
from marshmallow import Schema
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from domain.text import RULE, has_control_characters, texts_in

PAGINATION_HEADER = {
    "description": "Pagination as a JSON object in a string: total, total_pages, first_page, "
                   "last_page, page, previous_page, next_page.",
    "schema": {"type": "string"},
}
# Each group of routes (an OpenAPI tag: ReDoc's sidebar), by blueprint: its name and what it holds.
TAGS = {
    "accounts": ("Accounts and tokens", "Signing in for an API token, your tokens, people, their roles, hubs and "
                                        "passwords."),
    "hubs": ("Hubs", "Hubs, their members and sessions, and the issues raised in each."),
    "issues": ("Issues", "Systemic issues and their stages: input, framing, themes, findings, actions, feedback and "
                         "learning."),
    "reads": ("What happened", "Timelines, your input and actions, hub boards, accountability and the audit trail."),
    "rounds": ("Priority rounds", "Rounds in which a hub's experts say which issues matter most to them."),
    "keeping_posted": ("Keeping posted", "How each person is kept posted (their choice), and news handed over at "
                                         "a hub."),
}
MAX_DEPTH = 32  # our bodies are two levels deep; anything far deeper is not a request of ours
UNPAIRED = "must be valid Unicode text: it contains an unpaired surrogate (\\ud800-\\udfff)"


def _too_deep() -> None:
    abort(422, message=f"The JSON body is nested more than {MAX_DEPTH} levels deep.")


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _unreadable_fields(fields: Any) -> dict[str, list[str]]:
    """The top-level fields (or "body") holding text that is not valid Unicode, or that has control
    characters (the domain refuses them too: domain/text.py), at any depth: refused at the door,
    so that neither reaches a schema, a query, the store or a log line."""
    found: dict[str, list[str]] = {}
    for field, value in (fields.items() if isinstance(fields, dict) else [("body", fields)]):
        if _has_lone_surrogate(field):
            found["body"] = [f"field names {UNPAIRED}"]
        elif has_control_characters(field):
            found["body"] = [f"field names {RULE}"]
        elif any(_has_lone_surrogate(text) for text in texts_in(value)):
            found[field] = [UNPAIRED]
        elif has_control_characters(value):
            found[field] = [RULE]
    return found


def _depth(body: Any) -> int:
    deepest, pending = 0, [(body, 1)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, level)
            pending.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


class BodyParser(FlaskParser):
    """webargs' parser, refusing (422) bodies nested beyond reason, and bodies and query strings
    with text that is not Unicode or has control characters."""

    def __init__(self) -> None:
        super().__init__()
        self._schemas: dict[type[Schema], Schema] = {}

    def _get_schema(self, argmap: Any, req: Request) -> Schema:
        """One instance of each schema class, made once: webargs would make one for every request,
        and a schema keeps nothing of one load for the next."""
        if isinstance(argmap, type) and issubclass(argmap, Schema):
            return self._schemas.get(argmap) or self._schemas.setdefault(argmap, argmap())
        return super()._get_schema(argmap, req)

    def _raw_load_json(self, req: Request) -> Any:
        if not is_json_request(req):
            if req.get_data(cache=True) or req.content_length:  # sent as something else: its fields are not "missing"
                abort(415, message="the body must be JSON, sent with the header Content-Type: application/json")
            return core.missing
        try:
            body = core.parse_json(req.get_data(cache=True))
        except RecursionError:  # json.loads recurses once per level: about a thousand is its end
            _too_deep()
        if _depth(body) > MAX_DEPTH:  # and under that, deep bodies are still no request of ours
            _too_deep()
        unreadable = _unreadable_fields(body)
        if unreadable:
            abort(422, errors=unreadable)
        return body

    def load_querystring(self, req: Request, schema: Schema) -> Any:
        unreadable = _unreadable_fields(req.args.to_dict(flat=False))
        if unreadable:
            abort(422, errors=unreadable)
        return super().load_querystring(req, schema)


class Blueprint(SmorestBlueprint):
    """flask-smorest's, with its routes grouped (tagged) under a name for people (TAGS), not the
    blueprint's own snake_case name, which stays the endpoints' prefix."""

    ARGUMENTS_PARSER = BodyParser()

    def __init__(self, name: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(name, *args, **kwargs)
        self.tag, self.tag_description = TAGS.get(name, (name, self.description))

    def _store_endpoint_docs(self, endpoint, obj, parameters, tags, **options):
        super()._store_endpoint_docs(endpoint, obj, parameters, [self.tag] if tags is None else tags, **options)

    def _document_pagination_metadata(self, spec, resp_doc):
        resp_doc.setdefault("headers", {})[self.PAGINATION_HEADER_NAME] = PAGINATION_HEADER
