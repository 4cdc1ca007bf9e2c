"""A period that ends before it starts is refused, naming the field and the rule, at every door that takes one
(the accountability report and the audit trail, in the API and on the pages), rather than answered with zeros;
and the report says plainly when there is no feedback to measure."""

from __future__ import annotations

import pytest

from tests.e2e.test_bad_input import assert_problem
from tests.e2e.test_error_summaries import site, summary  # noqa: F401 (site: the demo, as a fixture)
from tests.unit.test_plain_words import signed_in

BACKWARDS = {"from": "2025-01-01", "to": "2020-01-01"}
SAID = "To (last day) must be on or after From (first day)"


# --- the API ------------------------------------------------------------------------------------

def test_an_accountability_period_that_ends_before_it_starts_is_refused_on_to(world):
    response = world.call("auditor", "GET", f"/api/v1/hubs/{world.hubs['own']}/accountability"
                                            "?from=2025-01-01&to=2020-01-01")
    assert_problem(response, 422)
    assert response.json["errors"] == {"to": ["must be on or after from"]}


def test_an_accountability_period_of_one_day_is_answered(world):
    response = world.call("auditor", "GET", f"/api/v1/hubs/{world.hubs['own']}/accountability"
                                            "?from=2024-02-29&to=2024-02-29")
    assert response.status_code == 200, response.json
    assert response.json["from"].startswith("2024-02-29") and response.json["to"].startswith("2024-03-01")


@pytest.mark.parametrize("path", ["/api/v1/audit", "/api/v1/audit/export"])
@pytest.mark.parametrize("since, until", [("2025-01-01T00:00:00Z", "2020-01-01T00:00:00Z"),
                                          ("2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z"),
                                          ("2025-01-01T00:00:00", "2020-01-01T00:00:00Z")],
                         ids=["backwards", "empty", "one without a zone"])
def test_an_audit_window_that_ends_before_it_starts_is_refused_on_until(world, path, since, until):
    response = world.client.get(path, query_string={"since": since, "until": until}, headers=world.auth("auditor"))
    assert_problem(response, 422)
    assert response.json["errors"] == {"until": ["must be after since"]}


def test_an_audit_window_in_order_is_answered(world):
    response = world.client.get("/api/v1/audit", headers=world.auth("auditor"),
                                query_string={"since": "2000-01-01T00:00:00Z", "until": "2999-01-01T00:00:00Z"})
    assert response.status_code == 200, response.json
    assert response.json


# --- the pages ----------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/audit", "/audit/export.csv", "/hubs/{hub}/accountability"])
def test_a_period_that_ends_before_it_starts_is_named_beside_to(site, path):  # noqa: F811
    auditor = signed_in(site, "auditor")
    hub = site.extensions["coproduce"].board_hubs(site.extensions["coproduce"].actor_for("auditor"))[0].hub_id
    answer = auditor.get(path.format(hub=hub), query_string=BACKWARDS)
    assert answer.status_code == 422, answer.text
    assert summary(answer.text) == [SAID]
    assert answer.text.count(SAID) == 2  # in the summary, and beside "To (last day)"
    assert 'id="to-error"' in answer.text


def test_a_period_of_one_day_is_shown(site):  # noqa: F811
    auditor = signed_in(site, "auditor")
    hub = site.extensions["coproduce"].board_hubs(site.extensions["coproduce"].actor_for("auditor"))[0].hub_id
    for path in ("/audit", f"/hubs/{hub}/accountability"):
        assert auditor.get(path, query_string={"from": "2024-02-29", "to": "2024-02-29"}).status_code == 200


def test_the_report_says_so_when_no_input_had_feedback(site):  # noqa: F811
    auditor = signed_in(site, "auditor")
    hub = site.extensions["coproduce"].board_hubs(site.extensions["coproduce"].actor_for("auditor"))[0].hub_id
    answer = auditor.get(f"/hubs/{hub}/accountability", query_string={"from": "1950-01-01", "to": "1950-12-31"})
    assert answer.status_code == 200
    assert "No input had feedback in this period. The promise is 28 days." in answer.text
    assert "within none yet" not in answer.text
