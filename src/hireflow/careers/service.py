"""Careers rules: which jobs the public sees, the consents an application asks for, and
applying (validated, throttled, then handed to `candidates.intake`)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.audit import service as audit
from hireflow.audit.service import Origin
from hireflow.candidates import intake
from hireflow.careers import repository
from hireflow.careers.schemas import ApplyIn, ConsentStatement
from hireflow.config import Settings
from hireflow.documents.inspect import InspectedFile, inspect_upload
from hireflow.errors import AppError, Invalid, NotFound, TooManyRequests
from hireflow.kit import cursors, throttle
from hireflow.models import Application, Document, Job, Organization, User
from hireflow.models.job import REMOTE_POLICIES
from hireflow.organizations import repository as organizations
from hireflow.portal import repository as portal
from hireflow.users.service import normalize_email
from hireflow.web.templating import validated

log = structlog.get_logger(__name__)

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
SLUG_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,99}")

# Applications per hour: from one IP address (an office may share one), and to one address.
APPLY_WINDOW_SECONDS = 3600
APPLICATIONS_PER_IP = 30
APPLICATIONS_PER_EMAIL = 5

PROCESSING = "application_processing"
# What a refused field says (the form shows it next to the field; the API in `fields`).
APPLY_MESSAGES = {
    "full_name": "Enter your name (200 characters at most).",
    "email": "Enter your email address.",
    "phone": "Enter a phone number such as +44 20 7946 0000, or leave it empty.",
    "consent": "Choose consents from the list.",
}
TALENT_POOL = "talent_pool"


class ConsentMissing(Invalid):
    code = "consent-required"
    title = "Consent required"


@dataclass(frozen=True)
class Upload:
    """A file as the client sent it (name and bytes); its type is decided from the bytes."""

    filename: str | None
    data: bytes


# --- reading ------------------------------------------------------------------------------------


async def careers_organization(session: AsyncSession, slug: str) -> Organization:
    if not SLUG_PATTERN.fullmatch(slug.lower()):
        raise NotFound("No careers page has this address.")
    organization = await organizations.get_by_slug(session, slug.lower())
    if organization is None:
        raise NotFound("No careers page has this address.")
    return organization


@dataclass(frozen=True)
class JobList:
    organization: Organization
    jobs: list[Job]
    next_cursor: str | None
    departments: list[str]


async def list_open_jobs(
    session: AsyncSession,
    slug: str,
    *,
    q: str | None = None,
    department: str | None = None,
    remote_policy: str | None = None,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> JobList:
    organization = await careers_organization(session, slug)
    if remote_policy and remote_policy not in REMOTE_POLICIES:
        raise Invalid(
            f"remote must be one of: {', '.join(REMOTE_POLICIES)}.", extra={"field": "remote"}
        )
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    rows = await repository.open_jobs(
        session,
        organization.id,
        q=(q or "").strip()[:200] or None,
        department=(department or "").strip()[:120] or None,
        remote_policy=remote_policy or None,
        after=cursors.decode(cursor),
        limit=limit + 1,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = cursors.encode(rows[-1].created_at, rows[-1].id) if more and rows else None
    return JobList(
        organization=organization,
        jobs=rows,
        next_cursor=next_cursor,
        departments=await repository.departments(session, organization.id),
    )


async def open_job(session: AsyncSession, slug: str, job_id: uuid.UUID) -> tuple[Organization, Job]:
    organization = await careers_organization(session, slug)
    job = await repository.open_job(session, organization.id, job_id)
    if job is None:
        raise NotFound("This job is not open for applications (or never existed).")
    return organization, job


def consent_statements(organization: Organization, job: Job) -> list[ConsentStatement]:
    """The words the apply form shows; the one the candidate ticks is stored verbatim."""
    return [
        ConsentStatement(
            purpose=PROCESSING,
            statement=(
                f"I agree that {organization.name} stores and processes my personal data and "
                f"the documents I send in order to consider my application for "
                f"“{job.title}”."
            ),
            required=True,
        ),
        ConsentStatement(
            purpose=TALENT_POOL,
            statement=(
                f"Keep me in {organization.name}'s talent pool: my profile may be kept for up "
                "to two years and I may be contacted about other jobs. I can withdraw this at "
                "any time."
            ),
            required=False,
        ),
    ]


# --- applying -----------------------------------------------------------------------------------


async def _throttle(session: AsyncSession, key: str, limit: int) -> None:
    wait = await throttle.retry_after(
        session, key, limit=limit, window_seconds=APPLY_WINDOW_SECONDS
    )
    if wait is not None:
        raise TooManyRequests(
            "Too many applications were sent from here. Try again later.", retry_after=wait
        )
    await throttle.record(session, key, window_seconds=APPLY_WINDOW_SECONDS)


def _as_inspected(document: Document) -> InspectedFile:
    return InspectedFile(
        filename=document.filename,
        content_type=document.content_type,
        size=document.size_bytes,
        sha256=document.sha256,
        text=document.text,
        data=document.content,
    )


async def _resume(
    session: AsyncSession,
    *,
    upload: Upload | None,
    account_document_id: uuid.UUID | None,
    user: User | None,
    settings: Settings,
) -> InspectedFile:
    if account_document_id is not None:
        document = (
            await portal.account_document(session, user.id, account_document_id, with_content=True)
            if user is not None
            else None
        )
        if document is None:
            raise Invalid(
                "That document is not in your account: choose another or upload a file.",
                extra={"field": "resume"},
            )
        return _as_inspected(document)
    if upload is None or not upload.data:
        raise Invalid("Attach your resume (PDF, DOCX or plain text).", extra={"field": "resume"})
    return await _inspect(upload, "resume", settings)


async def _inspect(upload: Upload, field: str, settings: Settings) -> InspectedFile:
    """The file's type and text; a refusal names the form field it came from."""
    try:
        return await inspect_upload(
            upload.filename, upload.data, max_bytes=settings.max_document_bytes
        )
    except AppError as exc:
        exc.extra.setdefault("field", field)
        raise


async def apply(
    session: AsyncSession,
    *,
    slug: str,
    job_id: uuid.UUID,
    fields: Mapping[str, Any],
    resume: Upload | None,
    cover_letter: Upload | None,
    account_document_id: uuid.UUID | None,
    user: User | None,
    origin: Origin,
    settings: Settings,
) -> tuple[Application, Organization, Job]:
    """Apply to an open job. `fields` (the form's text fields) are checked against `ApplyIn`
    once the job is known, so a job that is not open is a 404 whatever was sent. Signed in,
    the application is made with the account's (verified) address whatever the form says,
    and the record is linked to the account."""
    organization, job = await open_job(session, slug, job_id)
    if user is not None:
        fields = {**fields, "email": user.email}
    form = validated(ApplyIn, fields, APPLY_MESSAGES)
    email = user.email if user is not None else normalize_email(form.email)
    await _throttle(session, f"apply:ip:{origin.ip or 'unknown'}", APPLICATIONS_PER_IP)
    await _throttle(session, f"apply:email:{email.lower()}", APPLICATIONS_PER_EMAIL)

    offered = {c.purpose: c for c in consent_statements(organization, job)}
    unknown = sorted(set(form.consent) - set(offered))
    if unknown:
        raise Invalid(
            f"Unknown consent: {', '.join(unknown)[:200]}. Send one of: {', '.join(offered)}.",
            extra={"field": "consent"},
        )
    if PROCESSING not in form.consent:
        raise ConsentMissing(
            "Tick the box agreeing to the processing of your data for this application: "
            "we cannot consider it otherwise.",
            extra={"field": "consent"},
        )
    resume_file = await _resume(
        session,
        upload=resume,
        account_document_id=account_document_id,
        user=user,
        settings=settings,
    )
    letter = None
    if cover_letter is not None and cover_letter.data:
        letter = await _inspect(cover_letter, "cover_letter", settings)
    application = await intake.receive_application(
        session,
        organization=organization,
        job=job,
        applicant=intake.Applicant(full_name=form.full_name, email=email, phone=form.phone),
        resume=resume_file,
        cover_letter=letter,
        consents=[
            intake.Consent(purpose=purpose, statement=offered[purpose].statement)
            for purpose in offered
            if purpose in form.consent
        ],
        user=user,
        source="portal" if user is not None else "careers_page",
    )
    await audit.record(
        session,
        "application.received",
        origin=origin,
        actor=user,
        actor_email=None if user is not None else email,
        organization_id=organization.id,
        target_type="application",
        target_id=application.id,
        data={"job_id": str(job.id), "source": application.source},
    )
    log.info("application received", job_id=str(job.id), application_id=str(application.id))
    return application, organization, job
