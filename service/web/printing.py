"""Printed pages as PDF: the same templates a browser prints, rendered by WeasyPrint.

Receipts, posters, hand-over sheets and copies of a person's data are pages first; their PDF is
that page with its print styles. WeasyPrint fetches only `data:` addresses (QR codes, inline
images): a page never makes the server fetch anything from the network or the disk.
"""

from __future__ import annotations

from weasyprint import HTML
from weasyprint.urls import URLFetcher


def pdf_from(html: str) -> bytes:
    """The PDF of `html`, laid out with its print styles (inline `<style>`, `@page` rules)."""
    fetcher = URLFetcher(allowed_protocols={"data"}, allow_redirects=False)
    return HTML(string=html, url_fetcher=fetcher, media_type="print").write_pdf()
