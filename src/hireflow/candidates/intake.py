"""Receiving an application from the candidate: the careers page's apply form, the public API
and the portal all end here.

One transaction: find the organization's record of the person (same email, merged records
followed to the record they went into) or make one, store the resume and cover letter, record
each consent with the exact words shown, link the record to the candidate's account when they
are signed in, and put the application in the job's first stage. Anything refused leaves
nothing behind (the caller's transaction is rolled back).

The few queries live here rather than in `candidates.repository`: they are the intake's own
(match by email or account, follow merges) and nothing else uses them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.applications.service import create_application
from hireflow.candidates.normalize import normalize_phone
from hireflow.candidates.repository import add_event
from hireflow.documents.inspect import InspectedFile
from hireflow.documents.service import store_document
from hireflow.errors import Conflict, NotFound
from hireflow.kit.clock import now
from hireflow.models import (
    Application,
    Candidate,
    CandidateAccount,
    CandidateConsent,
    Job,
    Organization,
    User,
)

# A chain of merges longer than this is a data error; stop following it rather than loop.
MAX_MERGE_HOPS = 20
# Profile fields an account fills in on the organization's record when the record has none.
PROFILE_FIELDS = (
    "headline",
    "location",
    "summary",
    "links",
    "skills",
    "experience",
    "education",
)


@dataclass(frozen=True)
class Applicant:
    """Who applies, as typed in the form (or sent to the API)."""

    full_name: str
    email: str
    phone: str | None = None


@dataclass(frozen=True)
class Consent:
    """A consent given while applying: its purpose and the exact statement shown."""

    purpose: str
    statement: str


async def receive_application(
    session: AsyncSession,
    *,
    organization: Organization,
    job: Job,
    applicant: Applicant,
    resume: InspectedFile | None,
    cover_letter: InspectedFile | None,
    consents: Sequence[Consent],
    user: User | None,
    source: str,
) -> Application:
    """The new application (in the job's first stage). `job` must be an open job of
    `organization` (else 404); applying twice to a job is a 409. The caller has validated the
    applicant's fields and checked that the required consents were given."""
    if job.organization_id != organization.id or job.status != "open":
        raise NotFound("This job is not open for applications.")
    at = now()
    candidate = await _matching_candidate(session, organization.id, applicant.email, user)
    if candidate is None:
        candidate = await _new_candidate(session, organization, applicant, user, source)
    else:
        await _complete_candidate(session, candidate, applicant, user)

    actor_id = user.id if user is not None else None
    for inspected, kind in ((resume, "resume"), (cover_letter, "cover_letter")):
        if inspected is None:
            continue
        document = await store_document(
            session,
            inspected,
            kind=kind,
            organization_id=organization.id,
            candidate_id=candidate.id,
            uploaded_by_user_id=actor_id,
        )
        if kind == "resume":
            candidate.resume_text = inspected.text  # the newest resume is the one searched
        await add_event(
            session,
            candidate,
            "document_added",
            actor_user_id=actor_id,
            data={"document_id": str(document.id), "kind": kind, "filename": document.filename},
        )
    for consent in consents:
        session.add(
            CandidateConsent(
                organization_id=organization.id,
                candidate_id=candidate.id,
                purpose=consent.purpose,
                statement=consent.statement,
                source=source,
                granted_at=at,
            )
        )
        await add_event(
            session,
            candidate,
            "consent_given",
            actor_user_id=actor_id,
            data={"purpose": consent.purpose, "source": source, "job_id": str(job.id)},
        )
    try:
        application = await create_application(
            session, job=job, candidate_id=candidate.id, source=source, actor_user_id=actor_id
        )
    except Conflict as exc:  # applied before: said in the applicant's words, without the id
        raise Conflict("You have already applied to this job.", extra={"field": "email"}) from exc
    await add_event(
        session,
        candidate,
        "applied",
        actor_user_id=actor_id,
        data={"job_id": str(job.id), "job_title": job.title, "application_id": str(application.id)},
    )
    await session.flush()
    return application


async def _matching_candidate(
    session: AsyncSession, organization_id: uuid.UUID, email: str, user: User | None
) -> Candidate | None:
    """The record this person already has here: the one linked to their account, else the
    oldest live one with the same email (case-insensitive), else where a merged one went."""
    if user is not None:
        linked = await session.scalar(
            select(Candidate)
            .where(
                Candidate.organization_id == organization_id,
                Candidate.user_id == user.id,
                Candidate.merged_into_id.is_(None),
            )
            .order_by(Candidate.created_at, Candidate.id)
            .limit(1)
        )
        if linked is not None:
            return linked
    same_email = list(
        await session.scalars(
            select(Candidate)
            .where(Candidate.organization_id == organization_id, Candidate.email == email)
            .order_by(Candidate.merged_into_id.is_not(None), Candidate.created_at, Candidate.id)
        )
    )
    if not same_email:
        return None
    found = same_email[0]
    for _ in range(MAX_MERGE_HOPS):
        if found.merged_into_id is None:
            return found
        target = await session.get(Candidate, found.merged_into_id)
        if target is None or target.organization_id != organization_id:
            return None
        found = target
    return None


async def _new_candidate(
    session: AsyncSession,
    organization: Organization,
    applicant: Applicant,
    user: User | None,
    source: str,
) -> Candidate:
    candidate = Candidate(
        organization_id=organization.id,
        full_name=applicant.full_name,
        email=applicant.email,
        phone=applicant.phone,
        phone_normalized=normalize_phone(applicant.phone),
        source=source,
        user_id=user.id if user is not None else None,
    )
    account = await _account(session, user)
    if account is not None:
        for name in PROFILE_FIELDS:
            setattr(candidate, name, getattr(account, name))
    session.add(candidate)
    await session.flush()
    await add_event(
        session,
        candidate,
        "created",
        actor_user_id=user.id if user is not None else None,
        data={"source": source},
    )
    return candidate


async def _complete_candidate(
    session: AsyncSession, candidate: Candidate, applicant: Applicant, user: User | None
) -> None:
    """Fill what the record lacks; never overwrite what the recruiter (or an earlier
    application) put there."""
    filled: list[str] = []
    if not candidate.email:
        candidate.email = applicant.email
        filled.append("email")
    if not candidate.phone and applicant.phone:
        candidate.phone = applicant.phone
        candidate.phone_normalized = normalize_phone(applicant.phone)
        filled.append("phone")
    account = await _account(session, user)
    if account is not None:
        for name in PROFILE_FIELDS:
            if not getattr(candidate, name) and getattr(account, name):
                setattr(candidate, name, getattr(account, name))
                filled.append(name)
    actor_id = user.id if user is not None else None
    if user is not None and candidate.user_id is None:
        candidate.user_id = user.id
        await add_event(
            session,
            candidate,
            "linked_to_account",
            actor_user_id=actor_id,
            data={"user_id": str(user.id)},
        )
    if filled:
        await add_event(
            session,
            candidate,
            "updated_by_candidate",
            actor_user_id=actor_id,
            data={"fields": filled},
        )
    await session.flush()


async def _account(session: AsyncSession, user: User | None) -> CandidateAccount | None:
    if user is None:
        return None
    return await session.get(CandidateAccount, user.id)
