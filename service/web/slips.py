"""What printed slips, posters and feeds share: the site's full addresses, a QR code drawn inline,
and the answer that is a PDF."""

from __future__ import annotations

import segno
from flask import Response, current_app, url_for

from service.web.printing import pdf_from


def site_address(endpoint: str, **values: object) -> str:
    """The full address of a page, for what is printed or read elsewhere (a receipt's QR code, a
    poster, a feed): from the site's own address (COPRODUCE_SITE_URL) when it is set, so that the
    Host a request claims cannot put another site's address on a poster or in a shared cache."""
    site = current_app.extensions["coproduce"].wiring.site_url
    if site:
        return site.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, **values, _external=True)


def qr_data_url(address: str) -> str:
    """A QR code for `address`, as an SVG `data:` URL (an image the page needs fetch from nowhere)."""
    return segno.make(address, error="m").svg_data_uri(scale=4, border=2)


def pdf_answer(html: str, filename: str) -> Response:
    """`html` laid out as a PDF, to download; never kept by a cache (it may hold personal words)."""
    return Response(pdf_from(html), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})
