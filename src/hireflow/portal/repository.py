"""Every SQL statement of the candidate portal. A candidate reads only what is theirs: rows are
always selected by the signed-in user's id (their account, their documents, their saved jobs,
and the applications of the organizations' candidate records linked to them)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Select, and_, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from hireflow.models import (
    Application,
    Candidate,
    CandidateAccount,
    CandidateConsent,
    Document,
    Job,
    JobStage,
    Organization,
    SavedJob,
)


async def get_account(session: AsyncSession, user_id: uuid.UUID) -> CandidateAccount | None:
    return await session.get(CandidateAccount, user_id)


async def linked_candidates(session: AsyncSession, user_id: uuid.UUID) -> list[Candidate]:
    """The organizations' live records linked to the account."""
    rows = await session.scalars(
        select(Candidate)
        .where(Candidate.user_id == user_id, Candidate.merged_into_id.is_(None))
        .order_by(Candidate.created_at, Candidate.id)
    )
    return list(rows.all())


async def unlinked_candidates_with_email(session: AsyncSession, email: str) -> list[Candidate]:
    rows = await session.scalars(
        select(Candidate).where(
            Candidate.email == email,
            Candidate.user_id.is_(None),
            Candidate.merged_into_id.is_(None),
        )
    )
    return list(rows.all())


def _applications_query(
    user_id: uuid.UUID,
) -> Select[Application, str, str, str, str]:
    return (
        select(Application, Job.title, Organization.name, Organization.slug, JobStage.name)
        .join(Candidate, Candidate.id == Application.candidate_id)
        .join(Job, Job.id == Application.job_id)
        .join(Organization, Organization.id == Application.organization_id)
        .join(JobStage, JobStage.id == Application.stage_id)
        .where(Candidate.user_id == user_id)
    )


async def application_of(
    session: AsyncSession, user_id: uuid.UUID, application_id: uuid.UUID
) -> tuple[Application, str, str, str, str] | None:
    """One application of the account's records, as `applications_of` lists them."""
    query = _applications_query(user_id).where(Application.id == application_id)
    row = (await session.execute(query.execution_options(populate_existing=True))).first()
    return None if row is None else (row[0], row[1], row[2], row[3], row[4])


async def own_application_for_update(
    session: AsyncSession, user_id: uuid.UUID, application_id: uuid.UUID
) -> Application | None:
    """One application of the account's records, locked for a change."""
    return await session.scalar(
        select(Application)
        .join(Candidate, Candidate.id == Application.candidate_id)
        .where(Application.id == application_id, Candidate.user_id == user_id)
        .with_for_update(of=Application)
    )


async def applications_of(
    session: AsyncSession,
    user_id: uuid.UUID,
    *,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[tuple[Application, str, str, str, str]]:
    """(application, job title, organization name, organization slug, stage name), newest
    first, of every record linked to the account (merged ones too: they are the person's)."""
    query = _applications_query(user_id)
    if after is not None:
        applied_at, application_id = after
        query = query.where(
            or_(
                Application.applied_at < applied_at,
                and_(Application.applied_at == applied_at, Application.id < application_id),
            )
        )
    query = query.order_by(Application.applied_at.desc(), Application.id.desc()).limit(limit)
    rows = await session.execute(query)
    return [(row[0], row[1], row[2], row[3], row[4]) for row in rows.all()]


# --- consents ----------------------------------------------------------------------------------


async def consents_of(
    session: AsyncSession, user_id: uuid.UUID
) -> list[tuple[CandidateConsent, Organization]]:
    """The consents given through the account's records, by organization, newest first."""
    rows = await session.execute(
        select(CandidateConsent, Organization)
        .join(Candidate, Candidate.id == CandidateConsent.candidate_id)
        .join(Organization, Organization.id == CandidateConsent.organization_id)
        .where(Candidate.user_id == user_id)
        .order_by(Organization.name, CandidateConsent.granted_at.desc(), CandidateConsent.id)
    )
    return [(row[0], row[1]) for row in rows.all()]


async def consents_for_update(
    session: AsyncSession,
    user_id: uuid.UUID,
    *,
    purpose: str,
    candidate_id: uuid.UUID | None,
    organization_id: uuid.UUID | None,
) -> list[tuple[CandidateConsent, Candidate]]:
    """The account's consents for `purpose` given to one organization (or through one of its
    records), withdrawn ones included, locked for a change."""
    query = (
        select(CandidateConsent, Candidate)
        .join(Candidate, Candidate.id == CandidateConsent.candidate_id)
        .where(Candidate.user_id == user_id, CandidateConsent.purpose == purpose)
        .order_by(CandidateConsent.granted_at, CandidateConsent.id)
        .with_for_update(of=CandidateConsent)
    )
    if candidate_id is not None:
        query = query.where(Candidate.id == candidate_id)
    if organization_id is not None:
        query = query.where(CandidateConsent.organization_id == organization_id)
    rows = await session.execute(query)
    return [(row[0], row[1]) for row in rows.all()]


# --- documents --------------------------------------------------------------------------------


async def account_documents(session: AsyncSession, user_id: uuid.UUID) -> list[Document]:
    rows = await session.scalars(
        select(Document)
        .where(Document.user_id == user_id)
        .order_by(Document.created_at.desc(), Document.id.desc())
    )
    return list(rows.all())


async def count_account_documents(session: AsyncSession, user_id: uuid.UUID) -> int:
    count = await session.scalar(
        select(func.count()).select_from(Document).where(Document.user_id == user_id)
    )
    return int(count or 0)


async def account_document(
    session: AsyncSession, user_id: uuid.UUID, document_id: uuid.UUID, *, with_content: bool = False
) -> Document | None:
    """One of the account's documents; `with_content` also loads the bytes and the text."""
    query = select(Document).where(Document.id == document_id, Document.user_id == user_id)
    if with_content:
        query = query.options(undefer(Document.content), undefer(Document.text))
    return await session.scalar(query)


async def delete_document(session: AsyncSession, document: Document) -> None:
    await session.execute(delete(Document).where(Document.id == document.id))


# --- saved jobs -------------------------------------------------------------------------------


async def saved_jobs(
    session: AsyncSession, user_id: uuid.UUID
) -> list[tuple[SavedJob, Job, Organization]]:
    rows = await session.execute(
        select(SavedJob, Job, Organization)
        .join(Job, Job.id == SavedJob.job_id)
        .join(Organization, Organization.id == Job.organization_id)
        .where(SavedJob.user_id == user_id)
        .order_by(SavedJob.created_at.desc(), SavedJob.id.desc())
    )
    return [(row[0], row[1], row[2]) for row in rows.all()]


async def saved_job(
    session: AsyncSession, user_id: uuid.UUID, job_id: uuid.UUID
) -> SavedJob | None:
    return await session.scalar(
        select(SavedJob).where(SavedJob.user_id == user_id, SavedJob.job_id == job_id)
    )


async def count_saved_jobs(session: AsyncSession, user_id: uuid.UUID) -> int:
    count = await session.scalar(
        select(func.count()).select_from(SavedJob).where(SavedJob.user_id == user_id)
    )
    return int(count or 0)


async def open_job_with_organization(
    session: AsyncSession, job_id: uuid.UUID
) -> tuple[Job, Organization] | None:
    """Any organization's job, if it is open (the public may see it)."""
    row = (
        await session.execute(
            select(Job, Organization)
            .join(Organization, Organization.id == Job.organization_id)
            .where(Job.id == job_id, Job.status == "open")
        )
    ).first()
    return None if row is None else (row[0], row[1])


async def delete_saved_job(session: AsyncSession, saved: SavedJob) -> None:
    await session.execute(delete(SavedJob).where(SavedJob.id == saved.id))
