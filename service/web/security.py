"""Security headers on every response, and a per-request nonce for the page template's one inline script."""

from __future__ import annotations

import secrets

from flask import Flask, Response, g, request

PAGE_POLICY = ("default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; img-src 'self' data:; "
               "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
               "object-src 'none'")
# The API reference (ReDoc's standalone bundle, served from our own origin: see service/http/factory.py).
# What that bundle truly needs, checked in a browser under this policy:
# - scripts: 'self' only. It holds `new Function(...)` (Ajv's schema compiler, which rendering a
#   document does not call) and `Function("return this")` (a fallback for browsers without
#   globalThis): neither runs, so no 'unsafe-eval'.
# - styles: 'unsafe-inline', for styled-components' <style> elements and React's style attributes.
# - workers: blob:, for the search index it builds in a worker made from a Blob of its own code.
# It loads no fonts from elsewhere (we do not add the Google Fonts link ReDoc's own page has), and the
# small Redocly logo its sidebar would fetch from cdn.redoc.ly is taken out of the bundle we serve.
DOCS_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self'; "
               "img-src 'self' data:; connect-src 'self'; worker-src blob:; form-action 'none'; "
               "frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
DOCS_PATH = "/api/v1/docs"

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
}


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _secure(response: Response) -> Response:
    policy = DOCS_POLICY if request.path.startswith(DOCS_PATH) else PAGE_POLICY.format(nonce=csp_nonce())
    response.headers.setdefault("Content-Security-Policy", policy)
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if response.mimetype == "text/html" and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store"  # pages show personal input: keep them out of caches
    return response


def install(app: Flask) -> None:
    app.after_request(_secure)
    app.context_processor(lambda: {"cspNonce": csp_nonce()})
