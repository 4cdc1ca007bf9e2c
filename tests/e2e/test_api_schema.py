"""Schemathesis against the OpenAPI document, as every role: no server errors, and every
response matches what the document says (status, content type, headers, body)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from marshmallow import ValidationError

from service import create_app
from service.app import schemas as s
from tests.e2e.conftest import ROLES, build_world

EXAMPLES_PER_OPERATION = 10  # bounded so the suite stays quick; raise locally for a deeper run
# A period's ends in order is a rule across two parameters, which OpenAPI cannot say (the document says it in
# words): the requests made here keep to it, and test_backwards_periods.py sends the ones that do not.
PERIODS = [(s.AccountabilityQuery, "start", "end", "from", "to", True),
           (s.AuditQuery, "since", "until", "since", "until", False)]


def periods_in_order(case) -> bool:
    query = case.query or {}
    for schema, first, last, first_key, last_key, inclusive in PERIODS:
        if first_key not in query or last_key not in query:
            continue
        try:
            ends = {first: schema().fields[first].deserialize(query[first_key]),
                    last: schema().fields[last].deserialize(query[last_key])}
        except ValidationError:
            continue  # not a period at all: the document's own rules decide
        try:
            s.in_order(ends, first, last, first_key, last_key, inclusive)
        except ValidationError:
            return False
    return True


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    path = tmp_path_factory.mktemp("schema") / "api.db"
    app = create_app({"database_url": f"sqlite:///{path}", "rate_limit": "1000000 per minute",
                      "sign_in_limit": "1000000 per minute"})
    world = build_world(app.test_client(), app.extensions["coproduce"])
    yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app), world
    app.extensions["coproduce"].close()


def operations(schema):
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("role", ROLES)
def test_the_api_keeps_to_its_document(served, role):
    schema, world = served
    checked = 0
    for operation in operations(schema):
        @given(case=operation.as_strategy().filter(periods_in_order))
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def keeps_to_the_document(case):
            case.call_and_validate(headers=world.auth(role))

        keeps_to_the_document()
        checked += 1
    assert checked >= 30
