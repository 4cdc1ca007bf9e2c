"""A local stand-in for GOV.UK Notify's API: it checks each request's signed token (HS256, issued by
the service id, signed with the key's secret, issued within 30 s) and its shape, and keeps what it is sent."""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt

SERVICE_ID = str(uuid.uuid4())
SECRET = str(uuid.uuid4())
API_KEY = f"coproduce_test-{SERVICE_ID}-{SECRET}"
SHAPES = {
    "/v2/notifications/sms": {"phone_number", "template_id", "personalisation", "reference"},
    "/v2/notifications/email": {"email_address", "template_id", "personalisation", "reference"},
    "/v2/notifications/letter": {"template_id", "personalisation", "reference"},
}


class FakeNotify:
    def __init__(self) -> None:
        self.received: list[tuple[str, dict]] = []
        self.refused: list[str] = []
        self.refuse_numbers: set[str] = set()
        keeper = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                problem = keeper.check(self.path, self.headers.get("Authorization", ""), body)
                if problem:
                    keeper.refused.append(problem)
                    return self.answer(403 if "token" in problem else 400, {"errors": [{"message": problem}]})
                if body.get("phone_number") in keeper.refuse_numbers:
                    return self.answer(400, {"errors": [{"error": "ValidationError", "message": "phone_number Not a UK mobile number"}]})
                keeper.received.append((self.path, body))
                self.answer(201, {"id": str(uuid.uuid4()), "reference": body.get("reference")})

            def answer(self, status, payload):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def check(self, path: str, authorization: str, body: dict) -> str:
        scheme, _, token = authorization.partition(" ")
        if scheme != "Bearer":
            return "no bearer token"
        try:
            claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"require": ["iss", "iat"]})
        except jwt.PyJWTError as error:
            return f"bad token: {error}"
        if claims["iss"] != SERVICE_ID or abs(time.time() - claims["iat"]) > 30:
            return "token not issued by this service just now"
        if path not in SHAPES or set(body) != SHAPES[path]:
            return f"unexpected request shape: {path} {sorted(body)}"
        if not {"subject", "body"} <= set(body["personalisation"]):
            return "personalisation lacks subject or body"
        if path.endswith("letter") and "address_line_1" not in body["personalisation"]:
            return "a letter needs its address"
        return ""

    def __enter__(self) -> FakeNotify:
        self.thread.start()
        return self

    def __exit__(self, *_) -> None:
        self.server.shutdown()
        self.server.server_close()
