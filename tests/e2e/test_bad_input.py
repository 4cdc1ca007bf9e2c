"""Input nobody should send, sent anyway: a clear problem+json refusal naming the field, and nothing recorded."""

from __future__ import annotations

import re
import socket
from urllib.parse import urlsplit

import pytest

from service.http.factory import MAX_HEADER_BYTES, MAX_HEADERS, MAX_TARGET_BYTES
from service.http.serve import server_options
from tests.e2e.test_api_authorization import ENDPOINTS
from tests.e2e.test_api_errors import store_size, values
from tests.processes import environment, start_server, stop

PROBLEM = "application/problem+json"
LONE = r"\ud800"  # a JSON escape for half of a surrogate pair, with no other half


def post_raw(world, who, path, raw: str, headers=None):
    sent = {**(world.auth(who) if who else {}), "Content-Type": "application/json", **(headers or {})}
    return world.client.post(path, data=raw.encode("ascii"), headers=sent)


def assert_problem(response, status: int):
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.headers["Content-Type"] == PROBLEM
    assert response.json["status"] == status


# --- 1. text that is not Unicode --------------------------------------------------------------

SURROGATES = [
    ("hub_manager", "/api/v1/hubs/{hub}/issues", '{"title": "%s"}' % LONE, "title"),
    ("expert", "/api/v1/issues/{issue}/contributions",
     '{"text": "my %s words", "channel": "online", "may_quote": true, "attribution": "anonymous"}' % LONE, "text"),
    ("hub_manager", "/api/v1/issues/{issue}/framing", '{"problem": "p", "affected": "\\udfff"}', "affected"),
    ("hub_manager", "/api/v1/issues/{issue}/themes",
     '{"theme": "t", "contribution_ids": ["%s"]}' % LONE, "contribution_ids"),
    (None, "/api/v1/tokens", '{"username": "%s", "password": "correct horse battery"}' % LONE, "username"),
    (None, "/api/v1/tokens", '{"username": "expert", "password": "%s"}' % LONE, "password"),
    ("admin", "/api/v1/accounts",
     '{"username": "someone", "role": "expert", "name": "Some %s One"}' % LONE, "name"),
]


@pytest.mark.parametrize("who, path, raw, field", SURROGATES, ids=[f"{s[1]}:{s[3]}" for s in SURROGATES])
def test_a_lone_surrogate_in_any_text_is_refused_naming_the_field(world, who, path, raw, field):
    before = store_size(world)
    response = post_raw(world, who, path.format(**values(world)), raw)
    assert_problem(response, 422)
    assert any("unpaired surrogate" in message for message in response.json["errors"][field])
    assert store_size(world) == before


def test_a_lone_surrogate_in_a_field_name_is_refused(world):
    response = post_raw(world, "hub_manager", f"/api/v1/hubs/{world.hubs['own']}/issues",
                        '{"title": "t", "ti%stle": "x"}' % LONE)
    assert_problem(response, 422)
    assert "unpaired surrogate" in str(response.json["errors"])


def test_a_proper_surrogate_pair_is_ordinary_text(world):
    response = post_raw(world, "hub_manager", f"/api/v1/hubs/{world.hubs['own']}/issues",
                        r'{"title": "Buses \ud83d\ude8c too rare"}')
    assert response.status_code == 201
    assert response.json["title"] == "Buses \U0001F68C too rare"


# --- 2. JSON nested without end -----------------------------------------------------------------

@pytest.mark.parametrize("raw", ["[" * 5000 + "]" * 5000, '{"title": ' * 5000 + '"t"' + "}" * 5000,
                                 '{"title": "t", "x": ' + "[" * 30_000 + "]" * 30_000 + "}",
                                 '{"title": "t", "x": ' + "[" * 100 + "]" * 100 + "}"],
                         ids=["arrays", "objects", "very deep", "deeper than any body of ours"])
def test_json_nested_thousands_deep_is_refused(world, raw):
    before = store_size(world)
    response = post_raw(world, "hub_manager", f"/api/v1/hubs/{world.hubs['own']}/issues", raw)
    assert_problem(response, 422)
    assert "nested" in response.json["detail"]
    assert store_size(world) == before


def test_json_nested_a_little_is_judged_by_the_schema(world):
    response = post_raw(world, "hub_manager", f"/api/v1/hubs/{world.hubs['own']}/issues",
                        '{"title": [[["t"]]]}')
    assert_problem(response, 422)
    assert response.json["errors"]["title"] == ["Not a valid string."]


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_a_json_body_sent_without_its_content_type_gets_415_saying_so_not_missing_fields(world, content_type):
    before = store_size(world)
    response = world.client.post(f"/api/v1/hubs/{world.hubs['own']}/issues", data='{"title": "Bus passes"}',
                                 headers={**world.auth("hub_manager"), **({"Content-Type": content_type}
                                                                           if content_type else {})})
    assert_problem(response, 415)
    assert "Content-Type: application/json" in response.json["detail"]
    assert store_size(world) == before


def test_signing_in_with_a_form_body_gets_415_like_every_other_endpoint(world):
    """curl -d sends a form's Content-Type; the sign-in limiter reading the form left the parser no body."""
    response = world.client.post("/api/v1/tokens", data='{"username": "expert", "password": "wrong"}',
                                 content_type="application/x-www-form-urlencoded")
    assert_problem(response, 415)
    assert "Content-Type: application/json" in response.json["detail"]


def _json_taking_routes(world):
    document = world.call(None, "GET", "/api/v1/openapi.json").json
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if isinstance(operation, dict) and "application/json" in operation.get("requestBody", {}).get("content", {}):
                yield method.upper(), path


def test_every_route_taking_json_answers_415_to_a_body_of_another_type(world):
    routes = list(_json_taking_routes(world))
    assert ("POST", "/api/v1/tokens") in routes and len(routes) > 10
    someone = "00000000-0000-4000-8000-000000000000"
    wrong = []
    for method, path in routes:
        address = re.sub(r"\{[^}]+\}", someone, path)
        for content_type in (None, "text/plain", "application/x-www-form-urlencoded"):
            response = world.client.open(address, method=method, data='{"a": 1}', headers={
                **world.auth("admin"), **({"Content-Type": content_type} if content_type else {})})
            if response.status_code != 415:
                wrong.append((method, path, content_type, response.status_code))
    assert not wrong


# --- 3. dates past the calendar's ends ------------------------------------------------------------

@pytest.mark.parametrize("query, fields", [("to=0001-01-01", {"to"}),
                                           ("from=0001-01-01&to=9999-12-31", {"from", "to"}),
                                           ("to=9999-12-31", {"to"}), ("from=0001-01-01", {"from"})])
def test_an_accountability_period_past_the_calendar_is_refused_naming_the_range(world, query, fields):
    response = world.call("hub_manager", "GET", f"/api/v1/hubs/{world.hubs['own']}/accountability?{query}")
    assert_problem(response, 422)
    assert set(response.json["errors"]) == fields
    if "to=" in query:
        assert "1900-01-01 and 9998-12-31" in response.json["errors"]["to"][0]


def test_an_accountability_period_at_the_ends_of_the_range_is_answered(world):
    response = world.call("hub_manager", "GET",
                          f"/api/v1/hubs/{world.hubs['own']}/accountability?from=1900-01-01&to=9998-12-31")
    assert response.status_code == 200, response.json
    assert world.call("hub_manager", "GET",
                      f"/api/v1/hubs/{world.hubs['own']}/accountability?to=1900-01-01").status_code == 200


# --- 4. who is asking comes before what they sent -------------------------------------------------

def test_an_unauthenticated_request_with_a_bad_body_gets_401_not_422(world):
    before = store_size(world)
    response = world.call(None, "POST", f"/api/v1/hubs/{world.hubs['own']}/issues", {})
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert store_size(world) == before


def test_every_endpoint_wants_a_token_before_it_reads_the_request(world):
    for endpoint in ENDPOINTS:  # one world for all: a request without a token records nothing
        path = endpoint.path.format(**values(world))
        for body in ({}, {"bad": "shape"}):
            response = world.call(None, endpoint.method, path + ("&" if "?" in path else "?") + "stage=nowhere",
                                  body if endpoint.method == "POST" else None)
            assert_problem(response, 401)
        revoked = world.call(None, endpoint.method, path, {}, {"Authorization": "Bearer not-a-token"})
        assert_problem(revoked, 401)


def test_signing_in_and_the_api_description_stay_open(world):
    assert_problem(world.call(None, "POST", "/api/v1/tokens", {}), 422)
    assert world.call(None, "POST", "/api/v1/tokens", {"username": "expert",
                                                        "password": "correct horse battery"}).status_code == 201
    assert world.call(None, "GET", "/api/v1/openapi.json").status_code == 200
    assert world.call(None, "GET", "/api/v1/docs").status_code == 200
    for probe in ("/healthz", "/readyz", "/metrics"):
        assert world.call(None, "GET", probe).status_code == 200, probe
    assert world.call(None, "OPTIONS", "/api/v1/hubs").status_code == 200


def test_an_unknown_api_address_is_still_not_found_without_a_token(world):
    assert_problem(world.call(None, "GET", "/api/v1/nowhere"), 404)


# --- 5. the methods an address allows ------------------------------------------------------------

def test_a_405_from_the_api_says_which_methods_are_allowed(world):
    response = world.call("hub_manager", "PUT", f"/api/v1/hubs/{world.hubs['own']}/issues", {"title": "t"})
    assert_problem(response, 405)
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}
    assert "PUT" not in response.headers["Allow"]
    assert_problem(world.call(None, "DELETE", "/api/v1/me"), 405)
    assert "GET" in world.call(None, "DELETE", "/api/v1/me").headers["Allow"]


def test_a_405_from_a_page_says_which_methods_are_allowed(world):
    response = world.client.delete("/")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


# --- 6. over-long addresses and headers ----------------------------------------------------------

def test_an_over_long_address_gets_414_problem_json(world):
    before = store_size(world)
    response = world.call("hub_manager", "POST", f"/api/v1/hubs/{world.hubs['own']}/issues?x=" + "a" * MAX_TARGET_BYTES,
                          {"title": "t"})
    assert_problem(response, 414)
    assert str(MAX_TARGET_BYTES) in response.json["detail"]
    assert_problem(world.call(None, "GET", "/" + "p" * MAX_TARGET_BYTES), 414)
    assert store_size(world) == before
    assert world.call("hub_manager", "GET", "/api/v1/hubs?x=" + "a" * 2000).status_code == 200


def test_over_long_or_too_many_headers_get_431_problem_json(world):
    response = world.call("hub_manager", "GET", "/api/v1/me", headers={"X-Long": "a" * MAX_HEADER_BYTES})
    assert_problem(response, 431)
    assert "X-Long" in response.json["detail"]
    many = {f"X-Extra-{n}": "1" for n in range(MAX_HEADERS + 1)}
    assert_problem(world.call("hub_manager", "GET", "/api/v1/me", headers=many), 431)
    assert world.call("hub_manager", "GET", "/api/v1/me", headers={"X-Long": "a" * 4000}).status_code == 200


def test_gunicorn_lets_requests_our_limits_refuse_reach_the_application():
    options = server_options("127.0.0.1", 8000, 1, 1)
    longest_method, version = len("OPTIONS"), len("HTTP/1.1")
    assert options["limit_request_line"] >= MAX_TARGET_BYTES + longest_method + version + 2 + 1
    assert options["limit_request_field_size"] > MAX_HEADER_BYTES
    assert options["limit_request_fields"] > MAX_HEADERS


def _raw_get(base: str, target: str, extra: str = "") -> str:
    address = urlsplit(base)
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\n{extra}Connection: close\r\n\r\n".encode())
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    return received.decode("latin-1")


def test_a_real_server_answers_over_long_requests_as_problem_json(tmp_path):
    process, base = start_server(environment(f"sqlite:///{tmp_path}/long.db"))
    try:
        for target, extra in [("/api/v1/hubs?x=" + "a" * (MAX_TARGET_BYTES + 100), ""),
                              ("/api/v1/me", f"X-Long: {'a' * MAX_HEADER_BYTES}\r\n")]:
            answer = _raw_get(base, target, extra)
            assert re.match(r"HTTP/1\.1 4(14|31) ", answer), answer[:300]
            assert "Content-Type: application/problem+json" in answer, answer[:500]
    finally:
        assert "Traceback" not in stop(process)


# --- 7. the API reference page, from our own origin ------------------------------------------------

def test_the_api_reference_page_works_offline_under_a_self_only_policy(world):
    page = world.client.get("/api/v1/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    policy = page.headers["Content-Security-Policy"]
    script_sources = re.search(r"script-src ([^;]*)", policy).group(1).split()
    assert script_sources == ["'self'"]
    html = page.get_data(as_text=True)
    scripts = re.findall(r'<script[^>]*\ssrc="([^"]+)"', html)
    assert scripts and all(src.startswith("/") and not src.startswith("//") for src in scripts)
    assert "<script>" not in html and "https://" not in html.split("<body")[1]
    for src in scripts:
        script = world.client.get(src)
        assert script.status_code == 200 and "javascript" in script.mimetype, src
        assert len(script.get_data()) > 100_000  # the real bundle, not a placeholder
    assert "/api/v1/openapi.json" in html
