"""`hireflow.documents.inspect`: a file's type comes from its bytes, with its text."""

from __future__ import annotations

import pytest

from hireflow.documents.inspect import DOCX, PDF, TXT, clean_filename, inspect_document
from hireflow.errors import Invalid, PayloadTooLarge
from tests.factories.candidates import docx_bytes, elf_bytes, pdf_bytes, png_bytes, zip_bytes

LIMIT = 1_000_000


def test_pdf_docx_and_text_are_recognized_with_their_text() -> None:
    pdf = inspect_document("x.docx", pdf_bytes("Hello from a PDF"), max_bytes=LIMIT)
    assert pdf.content_type == PDF
    assert "Hello from a PDF" in pdf.text
    docx = inspect_document("x.pdf", docx_bytes("Hello from Word"), max_bytes=LIMIT)
    assert docx.content_type == DOCX
    assert docx.text == "Hello from Word"
    text = inspect_document("notes", "Grüße\n".encode(), max_bytes=LIMIT)
    assert text.content_type == TXT
    assert text.text == "Grüße\n"
    assert len(text.sha256) == 64


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (png_bytes(), "Only PDF, DOCX and plain-text"),
        (elf_bytes(), "Only PDF, DOCX and plain-text"),
        (zip_bytes(), "not a Word document"),
        (b"   \n", "empty"),
        (b"%PDF-1.4\nnot really", "damaged"),
        (b"PK\x03\x04broken zip", "damaged"),
        (bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 64, "Old Word"),
    ],
)
def test_other_files_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(Invalid) as refused:
        inspect_document("cv.pdf", data, max_bytes=LIMIT)
    assert message in refused.value.detail


def test_too_large_is_413() -> None:
    with pytest.raises(PayloadTooLarge):
        inspect_document("big.txt", b"a" * 101, max_bytes=100)


def test_client_file_names_are_cleaned() -> None:
    assert clean_filename("../../etc/passwd") == "passwd"
    assert clean_filename("C:\\Users\\me\\cv.pdf") == "cv.pdf"
    assert clean_filename("bad\x00name\n.txt") == "badname.txt"
    assert clean_filename("", PDF) == "document.pdf"
    assert len(clean_filename("a" * 400 + ".pdf")) == 255
