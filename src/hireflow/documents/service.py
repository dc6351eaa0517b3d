"""Storing inspected documents. Callers check permissions and own the business event."""

from __future__ import annotations

import uuid
from urllib.parse import quote

from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.documents.inspect import InspectedFile
from hireflow.errors import Invalid
from hireflow.models import Document
from hireflow.models.document import DOCUMENT_KINDS


async def store_document(
    session: AsyncSession,
    inspected: InspectedFile,
    *,
    kind: str,
    organization_id: uuid.UUID | None = None,
    candidate_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None,
    uploaded_by_user_id: uuid.UUID | None = None,
) -> Document:
    """A candidate's document (`organization_id` + `candidate_id`) or a candidate account's
    (`user_id`)."""
    if kind not in DOCUMENT_KINDS:
        raise Invalid(f"Document kind must be one of: {', '.join(DOCUMENT_KINDS)}.")
    document = Document(
        organization_id=organization_id,
        candidate_id=candidate_id,
        user_id=user_id,
        kind=kind,
        filename=inspected.filename,
        content_type=inspected.content_type,
        size_bytes=inspected.size,
        sha256=inspected.sha256,
        content=inspected.data,
        text=inspected.text,
        uploaded_by_user_id=uploaded_by_user_id,
    )
    session.add(document)
    await session.flush()
    return document


def download_response(document: Document) -> Response:
    """The file as an attachment (never rendered inline), under its stored type."""
    quoted = quote(document.filename, safe="")
    return Response(
        content=document.content,
        media_type=document.content_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quoted}",
            "Cache-Control": "private, no-store",
        },
    )
