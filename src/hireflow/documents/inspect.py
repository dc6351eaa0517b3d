"""What an uploaded file really is, decided from its bytes — never from its name or the
client's content type — and the text in it (for search).

Accepted: PDF, DOCX (Word 2007+) and plain UTF-8 text. Everything else, empty files, files over
the size limit, damaged or password-protected files get a clear 4xx. Parsing is bounded: a page
limit for PDFs, a decompressed-size limit for DOCX (zip bombs), defusedxml for its XML.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from defusedxml import ElementTree
from starlette.concurrency import run_in_threadpool

from hireflow.errors import Invalid, PayloadTooLarge

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TXT = "text/plain; charset=utf-8"
EXTENSIONS = {PDF: ".pdf", DOCX: ".docx", TXT: ".txt"}

MAX_PDF_PAGES = 100
MAX_TEXT_CHARS = 200_000
MAX_DOCX_XML_BYTES = 20 * 1024 * 1024
_WORD_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")


class UnsupportedFile(Invalid):
    code = "unsupported-file"
    title = "Unsupported file"


@dataclass(frozen=True)
class InspectedFile:
    filename: str
    content_type: str
    size: int
    sha256: str
    text: str
    data: bytes


def clean_filename(name: str | None, content_type: str | None = None) -> str:
    """The last path part of a client's file name, without control characters, at most 255
    characters; "document" plus the type's extension when nothing usable is left."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip(" .")
    if not base:
        base = "document" + EXTENSIONS.get(content_type or "", "")
    return base[-255:]


def inspect_document(filename: str | None, data: bytes, *, max_bytes: int) -> InspectedFile:
    """Identify `data` and extract its text; raises `UnsupportedFile` (422) or
    `PayloadTooLarge` (413)."""
    if len(data) > max_bytes:
        raise PayloadTooLarge(
            f"The file is {len(data):,} bytes; the limit is {max_bytes:,} bytes.",
            extra={"max_bytes": max_bytes},
        )
    if not data.strip():
        raise UnsupportedFile("The file is empty.")
    if data[:1024].find(b"%PDF-") != -1:
        content_type, text = PDF, _pdf_text(data)
    elif data.startswith(b"PK\x03\x04"):
        content_type, text = DOCX, _docx_text(data)
    elif data.startswith(_OLE_MAGIC):
        raise UnsupportedFile(
            "Old Word (.doc) and other legacy Office files are not accepted: "
            "save the file as PDF or DOCX."
        )
    else:
        content_type, text = TXT, _plain_text(data)
    text = text.replace("\x00", "")[:MAX_TEXT_CHARS]
    return InspectedFile(
        filename=clean_filename(filename, content_type),
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        text=text,
        data=data,
    )


async def inspect_upload(filename: str | None, data: bytes, *, max_bytes: int) -> InspectedFile:
    """`inspect_document` off the event loop (PDF parsing is CPU work)."""
    return await run_in_threadpool(inspect_document, filename, data, max_bytes=max_bytes)


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnsupportedFile("The PDF is password-protected: upload an unprotected copy.")
        pages = []
        for page in reader.pages[:MAX_PDF_PAGES]:
            pages.append(page.extract_text() or "")
            if sum(len(p) for p in pages) > MAX_TEXT_CHARS:
                break
        return "\n".join(pages)
    except UnsupportedFile:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise UnsupportedFile("The PDF is damaged and cannot be read.") from exc
    except Exception as exc:  # pypdf raises many kinds on hostile input; none is our bug
        raise UnsupportedFile("The PDF is damaged and cannot be read.") from exc


def _docx_text(data: bytes) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        if "word/document.xml" not in names or "[Content_Types].xml" not in names:
            raise UnsupportedFile(
                "This archive is not a Word document: only PDF, DOCX and plain text are accepted."
            )
        info = archive.getinfo("word/document.xml")
        if info.file_size > MAX_DOCX_XML_BYTES:
            raise UnsupportedFile("The Word document is too large once unpacked.")
        with archive.open(info) as part:
            xml = part.read(MAX_DOCX_XML_BYTES + 1)
        if len(xml) > MAX_DOCX_XML_BYTES:
            raise UnsupportedFile("The Word document is too large once unpacked.")
        root = ElementTree.fromstring(xml)
    except UnsupportedFile:
        raise
    except Exception as exc:  # bad zip, bad XML, forbidden XML constructs
        raise UnsupportedFile("The Word document is damaged and cannot be read.") from exc
    paragraphs = []
    for paragraph in root.iter(f"{_WORD_NS}p"):
        parts = []
        for node in paragraph.iter():
            if node.tag == f"{_WORD_NS}t" and node.text:
                parts.append(node.text)
            elif node.tag == f"{_WORD_NS}tab":
                parts.append("\t")
        paragraphs.append("".join(parts))
    return "\n".join(paragraphs)


def _plain_text(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnsupportedFile(
            "Only PDF, DOCX and plain-text (UTF-8) files are accepted; this file is none of them."
        ) from exc
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\t\n\r\f")
    if controls:
        raise UnsupportedFile(
            "Only PDF, DOCX and plain-text (UTF-8) files are accepted; this file is none of them."
        )
    return text
