"""Builders for candidates."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.candidates.normalize import normalize_phone
from hireflow.models import Candidate, Organization


async def make_candidate(
    session: AsyncSession,
    organization: Organization,
    *,
    full_name: str = "Ada Lovelace",
    email: str | None = None,
    phone: str | None = None,
    resume_text: str = "",
    skills: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> Candidate:
    candidate = Candidate(
        organization_id=organization.id,
        full_name=full_name,
        email=email if email is not None else f"cand-{uuid.uuid4().hex[:10]}@example.test",
        phone=phone,
        phone_normalized=normalize_phone(phone),
        resume_text=resume_text,
        skills=skills if skills is not None else [{"name": "Python", "level": 4, "years": 5}],
        **fields,
    )
    session.add(candidate)
    await session.flush()
    return candidate


# --- real files for upload tests -----------------------------------------------------------


def pdf_bytes(text: str) -> bytes:
    """A one-page PDF (fpdf2) holding `text`."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.multi_cell(0, 10, text)
    return bytes(pdf.output())


def docx_bytes(text: str) -> bytes:
    """A Word document (python-docx) with one paragraph of `text`."""
    import io

    from docx import Document as WordDocument

    document = WordDocument()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def png_bytes() -> bytes:
    """A 1×1 PNG image."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def elf_bytes() -> bytes:
    """The start of a Linux executable (what a renamed program looks like)."""
    return b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + bytes(range(256))


def zip_bytes() -> bytes:
    """A zip archive that is not a Word document."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "just a zip")
    return buffer.getvalue()
