"""What printed slips and posters share: a QR code drawn inline, and the answer that is a PDF."""

from __future__ import annotations

import segno
from flask import Response

from service.web.printing import pdf_from


def qr_data_url(address: str) -> str:
    """A QR code for `address`, as an SVG `data:` URL (an image the page needs fetch from nowhere)."""
    return segno.make(address, error="m").svg_data_uri(scale=4, border=2)


def pdf_answer(html: str, filename: str) -> Response:
    """`html` laid out as a PDF, to download; never kept by a cache (it may hold personal words)."""
    return Response(pdf_from(html), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})
