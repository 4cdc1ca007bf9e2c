"""Printed pages: a PDF holds the page's text and never makes the server fetch a file or an address."""

import shutil
import subprocess

import pytest

from service.web.printing import pdf_from


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "page.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler's pdftotext is not installed")
def test_a_pdf_holds_the_pages_words(tmp_path):
    assert "What you told us" in _text(pdf_from("<h1>What you told us</h1>"), tmp_path)


def test_a_page_cannot_make_the_server_fetch_a_file_or_an_address(monkeypatch):
    fetched = []
    import urllib.request

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", lambda self, *a, **k: fetched.append(a))
    pdf = pdf_from('<img src="file:///etc/passwd"><link rel="stylesheet" href="http://127.0.0.1:9/x.css">'
                   '<p>Still printed</p>')
    assert pdf.startswith(b"%PDF") and fetched == []
