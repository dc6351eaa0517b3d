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
