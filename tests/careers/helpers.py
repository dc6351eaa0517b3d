"""Shared by the careers and portal tests: real resume files, the apply form's fields, and
reading what an application left in the database."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from fpdf import FPDF
from sqlalchemy import func, select

from hireflow.careers.service import PROCESSING, TALENT_POOL
from hireflow.db import Database
from hireflow.models import (
    Application,
    Candidate,
    CandidateConsent,
    CandidateEvent,
    Document,
    Job,
    Organization,
)

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + b"\x00" * 64


def pdf_bytes(*lines: str) -> bytes:
    """A real one-page PDF whose text layer holds `lines`."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    for line in lines:
        pdf.cell(0, 10, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def apply_url(organization: Organization, job: Job) -> str:
    return f"/api/v1/public/organizations/{organization.slug}/jobs/{job.id}/applications"


def application_fields(
    *,
    full_name: str = "Grace Hopper",
    email: str | None = None,
    phone: str = "+1 415 555 0100",
    consents: tuple[str, ...] = (PROCESSING,),
) -> dict[str, Any]:
    return {
        "full_name": full_name,
        "email": email or f"grace-{uuid.uuid4().hex[:8]}@example.test",
        "phone": phone,
        "consent": list(consents),
    }


def resume_file(
    data: bytes | None = None, name: str = "resume.pdf"
) -> dict[str, tuple[str, bytes, str]]:
    content = data if data is not None else pdf_bytes("Grace Hopper", "COBOL compilers")
    return {"resume": (name, content, "application/octet-stream")}


async def post_application(
    client: httpx.AsyncClient,
    organization: Organization,
    job: Job,
    *,
    fields: dict[str, Any] | None = None,
    files: dict[str, tuple[str, bytes, str]] | None = None,
) -> httpx.Response:
    return await client.post(
        apply_url(organization, job),
        data=fields if fields is not None else application_fields(),
        files=files if files is not None else resume_file(),
    )


async def counts(db: Database, organization: Organization) -> dict[str, int]:
    """How many candidates, applications, consents, documents and events the organization has."""
    async with db.transaction() as session:
        result = {}
        for name, model in (
            ("candidates", Candidate),
            ("applications", Application),
            ("consents", CandidateConsent),
            ("documents", Document),
            ("events", CandidateEvent),
        ):
            result[name] = int(
                await session.scalar(
                    select(func.count())
                    .select_from(model)
                    .where(model.organization_id == organization.id)
                )
                or 0
            )
        return result


__all__ = ["PROCESSING", "TALENT_POOL"]
