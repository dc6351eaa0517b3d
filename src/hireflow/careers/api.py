"""Public careers JSON routes: an organization's open jobs and applying to one. No sign-in;
a signed-in candidate who applies gets the record linked to their account."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile

from hireflow.api import API_PREFIX
from hireflow.auth.dependencies import OptionalUser
from hireflow.careers import service
from hireflow.careers.schemas import (
    ApplicationReceipt,
    PublicJob,
    PublicJobPage,
    PublicJobSummary,
    PublicOrganization,
)
from hireflow.db import DbSession
from hireflow.deps import AppSettings, RequestOrigin
from hireflow.errors import Invalid
from hireflow.models import Job, Organization

router = APIRouter(prefix=API_PREFIX, tags=["careers"])

# A plain string: a slug that cannot exist is a 404 like one that does not (never a 422).
PUBLIC = "/public/organizations/{slug}/jobs"
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such organization, or the job is not open."}
}


def summary(job: Job) -> PublicJobSummary:
    return PublicJobSummary(
        id=job.id,
        title=job.title,
        department=job.department,
        location=job.location,
        remote_policy=job.remote_policy,
        employment_type=job.employment_type,
        posted_at=job.opened_at or job.created_at,
    )


def public_organization(organization: Organization) -> PublicOrganization:
    return PublicOrganization(name=organization.name, slug=organization.slug)


def public_job(organization: Organization, job: Job) -> PublicJob:
    return PublicJob(
        **summary(job).model_dump(),
        organization=public_organization(organization),
        description_html=job.description_html,
        requirements=job.requirements,
        skills=list(job.skills),
        salary_min=job.salary_min,
        salary_max=job.salary_max,
        salary_currency=job.salary_currency,
        consents=service.consent_statements(organization, job),
    )


async def upload_of(file: UploadFile | None) -> service.Upload | None:
    """An attached file; a file input left empty (no name, no bytes) is no file."""
    if file is None:
        return None
    data = await file.read()
    if not data and not file.filename:
        return None
    return service.Upload(file.filename, data)


def document_id_of(value: str) -> uuid.UUID | None:
    if not value.strip():
        return None
    try:
        return uuid.UUID(value.strip())
    except ValueError as exc:
        raise Invalid(
            "resume_document_id is not a document id.", extra={"field": "resume"}
        ) from exc


@router.get(
    PUBLIC,
    response_model=PublicJobPage,
    summary="An organization's open jobs",
    responses=NOT_FOUND,
)
async def list_public_jobs(
    slug: str,
    session: DbSession,
    q: Annotated[str | None, Query(max_length=200, description="Words of the title")] = None,
    department: Annotated[str | None, Query(max_length=120)] = None,
    remote: Annotated[str | None, Query(max_length=10, description="onsite|hybrid|remote")] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE_SIZE)] = service.PAGE_SIZE,
) -> PublicJobPage:
    page = await service.list_open_jobs(
        session,
        slug,
        q=q,
        department=department,
        remote_policy=remote,
        cursor=cursor,
        limit=limit,
    )
    return PublicJobPage(
        organization=public_organization(page.organization),
        items=[summary(job) for job in page.jobs],
        next_cursor=page.next_cursor,
    )


@router.get(
    PUBLIC + "/{job_id}",
    response_model=PublicJob,
    summary="An open job's posting, with the consents applying asks for",
    responses=NOT_FOUND,
)
async def read_public_job(slug: str, job_id: uuid.UUID, session: DbSession) -> PublicJob:
    organization, job = await service.open_job(session, slug, job_id)
    return public_job(organization, job)


@router.post(
    PUBLIC + "/{job_id}/applications",
    response_model=ApplicationReceipt,
    status_code=201,
    summary="Apply to an open job (multipart: fields, `resume` file, `consent` purposes)",
    responses={
        **NOT_FOUND,
        409: {"description": "You have already applied to this job."},
        413: {"description": "A file is over the size limit."},
        422: {"description": "A field, a file or the required consent is missing or wrong."},
        429: {"description": "Too many applications from this address or to this email."},
    },
)
async def apply_to_job(
    slug: str,
    job_id: uuid.UUID,
    session: DbSession,
    settings: AppSettings,
    origin: RequestOrigin,
    user: OptionalUser,
    full_name: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
    consent: Annotated[list[str] | None, Form()] = None,
    resume: Annotated[UploadFile | None, File()] = None,
    cover_letter: Annotated[UploadFile | None, File()] = None,
    resume_document_id: Annotated[
        str, Form(description="Instead of `resume`: one of your account's documents")
    ] = "",
) -> ApplicationReceipt:
    application, organization, job = await service.apply(
        session,
        slug=slug,
        job_id=job_id,
        fields={
            "full_name": full_name,
            "email": email,
            "phone": phone or None,
            "consent": consent or [],
        },
        resume=await upload_of(resume),
        cover_letter=await upload_of(cover_letter),
        account_document_id=document_id_of(resume_document_id),
        user=user.user if user is not None else None,
        origin=origin,
        settings=settings,
    )
    return ApplicationReceipt(
        application_id=application.id,
        job_title=job.title,
        organization_name=organization.name,
        status=application.status,
        applied_at=application.applied_at,
    )
