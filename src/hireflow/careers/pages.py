"""Careers HTML pages: an organization's open jobs, a job's posting with its apply form, and
saving a job to the portal. Public (no sign-in). The apply form of a signed-out visitor uses
the pre-session double-submit CSRF token (as /login and /register); a signed-in visitor's
form carries the session's token, which the session dependency checks."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from hireflow.auth.pages import (
    FormCsrfField,
    OptionalSession,
    SignedIn,
    check_form_csrf,
    form_csrf_token,
    remember_viewer,
    set_form_csrf_cookie,
)
from hireflow.careers import service
from hireflow.careers.api import upload_of
from hireflow.db import DbSession
from hireflow.deps import AppSettings, RequestOrigin
from hireflow.errors import AppError, Invalid, Unauthorized
from hireflow.jobs.sanitize import sanitize_description
from hireflow.models import Job, Organization, User
from hireflow.portal import service as portal
from hireflow.web.templating import (
    Notice,
    refuse,
    register_notices,
    see_other,
    templates,
    with_query,
)

router = APIRouter(include_in_schema=False)

REMOTE_LABELS = {"onsite": "On-site", "hybrid": "Hybrid", "remote": "Remote"}
EMPLOYMENT_LABELS = {
    "full_time": "Full-time",
    "part_time": "Part-time",
    "contract": "Contract",
    "temporary": "Temporary",
    "internship": "Internship",
}
APPLY_FIELDS = {
    "full_name": "full_name",
    "email": "email",
    "phone": "phone",
    "consent": "consent",
    "resume": "resume",
    "cover_letter": "cover_letter",
}

register_notices(
    {
        "job-saved": Notice("success", "Job saved", "Find it again in your portal."),
        "job-unsaved": Notice("success", "Job removed from your saved jobs"),
    }
)

templates.env.globals.update(remote_labels=REMOTE_LABELS, employment_labels=EMPLOYMENT_LABELS)


def _job_url(organization: Organization, job: Job) -> str:
    return f"/careers/{organization.slug}/jobs/{job.id}"


async def _signed_in_user(
    request: Request, session: DbSession, principal: SignedIn | None
) -> User | None:
    """The visitor, when fully signed in (second factor included); also shown in the
    navigation."""
    if principal is None or principal.user_session.mfa_verified_at is None:
        return None
    await remember_viewer(request, session, principal)
    return principal.user


def _salary(job: Job) -> str | None:
    if job.salary_min is None and job.salary_max is None:
        return None
    currency = job.salary_currency or ""
    if job.salary_min is not None and job.salary_max is not None:
        amount = (
            f"{job.salary_min:,}"
            if job.salary_min == job.salary_max
            else f"{job.salary_min:,}–{job.salary_max:,}"
        )
    elif job.salary_min is not None:
        amount = f"from {job.salary_min:,}"
    else:
        amount = f"up to {job.salary_max:,}"
    return f"{amount} {currency} a year".replace("  ", " ")


@router.get("/careers/{slug}", response_class=HTMLResponse)
async def careers_page(
    request: Request,
    slug: str,
    session: DbSession,
    principal: OptionalSession,
    q: Annotated[str | None, Query(max_length=200)] = None,
    department: Annotated[str | None, Query(max_length=120)] = None,
    remote: Annotated[str | None, Query(max_length=10)] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    await _signed_in_user(request, session, principal)
    remote = remote if remote in REMOTE_LABELS else None
    page = await service.list_open_jobs(
        session, slug, q=q, department=department, remote_policy=remote, cursor=cursor
    )
    filters = {"q": q or "", "department": department or "", "remote": remote or ""}
    base = f"/careers/{page.organization.slug}"
    return templates.TemplateResponse(
        request,
        "careers/index.html",
        {
            "org": page.organization,
            "jobs": page.jobs,
            "departments": page.departments,
            "filters": filters,
            "filtered": any(filters.values()),
            "first_page": cursor is None,
            "next_url": with_query(base, **filters, cursor=page.next_cursor)
            if page.next_cursor
            else None,
            "first_url": with_query(base, **filters),
        },
    )


async def _job_context(
    request: Request,
    session: DbSession,
    organization: Organization,
    job: Job,
    user: User | None,
    csrf_token: str,
    form: dict[str, Any] | None = None,
) -> dict[str, Any]:
    documents = await portal.resumes_for_applying(session, user) if user is not None else []
    profile = await portal.get_profile(session, user) if user is not None else None
    prefill: dict[str, Any] = {
        "full_name": user.name if user else "",
        "email": user.email if user else "",
        "phone": (profile.value("phone") or user.phone or "") if profile and user else "",
        "consent": [],
    }
    return {
        "org": organization,
        "job": job,
        "salary": _salary(job),
        # Sanitized when saved; sanitized again here, so rows written around the service
        # (imports, data loaded by SQL) are safe on this public page too.
        "description": Markup(sanitize_description(job.description_html)),  # noqa: S704
        "consents": service.consent_statements(organization, job),
        "form": form if form is not None else prefill,
        "user": user,
        "documents": documents,
        "document_options": [
            (str(d.id), f"{d.filename} ({d.kind.replace('_', ' ')})") for d in documents
        ],
        "saved": await portal.is_saved(session, user, job.id) if user is not None else False,
        "csrf_token": csrf_token,
        "max_document_mb": request.app.state.settings.max_document_bytes // 1_048_576,
    }


@router.get("/careers/{slug}/jobs/{job_id}", response_class=HTMLResponse)
async def job_page(
    request: Request,
    slug: str,
    job_id: uuid.UUID,
    session: DbSession,
    settings: AppSettings,
    principal: OptionalSession,
) -> Response:
    organization, job = await service.open_job(session, slug, job_id)
    user = await _signed_in_user(request, session, principal)
    token = principal.user_session.csrf_token if principal else form_csrf_token(request)
    context = await _job_context(request, session, organization, job, user, token)
    page = templates.TemplateResponse(request, "careers/job.html", context)
    return page if principal else set_form_csrf_cookie(page, settings, token)


@router.post("/careers/{slug}/jobs/{job_id}/apply", response_class=HTMLResponse)
async def apply(
    request: Request,
    slug: str,
    job_id: uuid.UUID,
    session: DbSession,
    settings: AppSettings,
    origin: RequestOrigin,
    principal: OptionalSession,
    csrf_token: FormCsrfField = "",
    full_name: Annotated[str, Form(max_length=1000)] = "",
    email: Annotated[str, Form(max_length=1000)] = "",
    phone: Annotated[str, Form(max_length=100)] = "",
    consent: Annotated[list[str] | None, Form()] = None,
    resume: Annotated[UploadFile | None, File()] = None,
    cover_letter: Annotated[UploadFile | None, File()] = None,
    resume_document_id: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    # With a session the dependency has checked the session's token already.
    token = principal.user_session.csrf_token if principal else check_form_csrf(request, csrf_token)
    organization, job = await service.open_job(session, slug, job_id)
    user = await _signed_in_user(request, session, principal)
    form = {"full_name": full_name, "email": email, "phone": phone, "consent": consent or []}
    kept = {**form, "resume_document_id": resume_document_id}
    try:
        document_id = None
        if resume_document_id.strip():
            try:
                document_id = uuid.UUID(resume_document_id.strip())
            except ValueError as exc:
                raise Invalid("Choose one of your documents.", extra={"field": "resume"}) from exc
        await service.apply(
            session,
            slug=slug,
            job_id=job_id,
            fields={**form, "phone": phone or None},
            resume=await upload_of(resume),
            cover_letter=await upload_of(cover_letter),
            account_document_id=document_id,
            user=user,
            origin=origin,
            settings=settings,
        )
    except AppError as exc:
        context = await _job_context(request, session, organization, job, user, token, kept)
        refuse(request, exc, "careers/job.html", context, fields=APPLY_FIELDS)
    return see_other(_job_url(organization, job) + "/applied")


@router.get("/careers/{slug}/jobs/{job_id}/applied", response_class=HTMLResponse)
async def applied_page(
    request: Request, slug: str, job_id: uuid.UUID, session: DbSession, principal: OptionalSession
) -> HTMLResponse:
    organization, job = await service.open_job(session, slug, job_id)
    user = await _signed_in_user(request, session, principal)
    return templates.TemplateResponse(
        request, "careers/applied.html", {"org": organization, "job": job, "user": user}
    )


async def _require_user(request: Request, session: DbSession, principal: SignedIn | None) -> User:
    user = await _signed_in_user(request, session, principal)
    if user is None:
        raise Unauthorized("Sign in to save jobs.")
    return user


@router.post("/careers/{slug}/jobs/{job_id}/save")
async def save_job(
    request: Request, slug: str, job_id: uuid.UUID, session: DbSession, principal: OptionalSession
) -> Response:
    organization, job = await service.open_job(session, slug, job_id)
    user = await _require_user(request, session, principal)
    await portal.save_job(session, user, job.id)
    return see_other(_job_url(organization, job), notice="job-saved")


@router.post("/careers/{slug}/jobs/{job_id}/unsave")
async def unsave_job(
    request: Request, slug: str, job_id: uuid.UUID, session: DbSession, principal: OptionalSession
) -> Response:
    organization, job = await service.open_job(session, slug, job_id)
    user = await _require_user(request, session, principal)
    await portal.unsave_job(session, user, job.id)
    return see_other(_job_url(organization, job), notice="job-unsaved")
