"""Who is asking (a bearer token), and which issue version they last saw.

Whether they may do what they ask is decided by the application, not here.
"""

from __future__ import annotations

import re

from flask import current_app, g, request
from flask_smorest import abort

from domain import Account, Actor
from service.app.coproduce import Coproduce

ETAG = re.compile(r'^\s*"(\d{1,12})"\s*$')  # strong tags only: a weak tag (W/"5") never matches an If-Match


def coproduce() -> Coproduce:
    return current_app.extensions["coproduce"]


def signed_in() -> Account:
    """The account whose token came with the request, or a 401."""
    if "account" not in g:
        scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            abort(401, message="Sign in first: send an API token as 'Authorization: Bearer <token>'.")
        if "bearer_holder" in g:  # the rate limiter looked this request's token up already
            account = coproduce().account_of(g.bearer_holder)
        else:
            account = coproduce().account_for_api_token(secret.strip())
        if account is None:
            abort(401, message="That API token is not valid, or has been revoked.")
        g.account = account
    return g.account


def actor() -> Actor:
    """The person asking, for the application to decide what they may do and see."""
    return signed_in().as_actor()


def if_match() -> int | None:
    """The issue version the client last saw, from If-Match (None if not sent)."""
    header = request.headers.get("If-Match")
    if header is None:
        return None
    found = ETAG.match(header)
    if not found:
        if header.strip().startswith("W/"):
            abort(412, message="If-Match compares strong ETags only: a weak tag (W/...) never matches.")
        abort(422, errors={"If-Match": ['must be an ETag from this API, such as "7"']})
    return int(found.group(1))
