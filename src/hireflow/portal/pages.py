"""Candidate portal HTML pages: creating a candidate account, and the signed-in candidate's
applications (withdrawing one), consents (withdrawing one), saved jobs, profile and documents.
Thin routes over `portal.service` (what the `/api/v1/me/…` routes call too)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from hireflow.auth.pages import (
    AccountSession,
    FormCsrfField,
    SignedIn,
    check_form_csrf,
    form_csrf_token,
    set_form_csrf_cookie,
)
from hireflow.careers.api import upload_of
from hireflow.db import DbSession
from hireflow.deps import AppSettings, RequestOrigin
from hireflow.documents.service import download_response
from hireflow.errors import AppError
from hireflow.portal import service
from hireflow.portal.schemas import (
    CandidateProfileIn,
    RegisterCandidateIn,
    WithdrawApplicationIn,
    WithdrawConsentIn,
)
from hireflow.web.templating import (
    Notice,
    refuse,
    register_notices,
    see_other,
    templates,
    validated,
)

router = APIRouter(include_in_schema=False)

register_notices(
    {
        "profile-saved": Notice(
            "success", "Profile saved", "Organizations you applied to see the update."
        ),
        "document-uploaded": Notice("success", "Document uploaded"),
        "document-deleted": Notice("success", "Document deleted"),
        "saved-job-removed": Notice("success", "Job removed from your saved jobs"),
        "application-withdrawn": Notice(
            "success", "Application withdrawn", "The organization has been told in its records."
        ),
        "my-consent-withdrawn": Notice("success", "Consent withdrawn"),
    }
)

STATUS_LABELS = {
    "active": ("In progress", "info"),
    "hired": ("Hired", "success"),
    "rejected": ("Not selected", "neutral"),
    "withdrawn": ("Withdrawn", "neutral"),
}
REGISTER_MESSAGES = {
    "name": "Enter your name (200 characters at most).",
    "email": "Enter your email address.",
    "password": "Choose a password.",
}
PROFILE_MESSAGES = {
    "headline": "A headline has 200 characters at most.",
    "phone": "A phone number has 40 characters at most.",
    "location": "A location has 200 characters at most.",
    "summary": "A summary has 10,000 characters at most.",
    "links": "Links are web addresses starting with https://, one per line (20 at most).",
    "skills": "Each skill needs a name; a level from 1 to 5 and years from 0 to 60.",
    "experience": "Each position needs a title; its end date cannot be before its start.",
    "education": "Each school needs a name; its end date cannot be before its start.",
}
DOCUMENT_KINDS = [("resume", "Resume"), ("cover_letter", "Cover letter"), ("other", "Other")]

templates.env.globals.update(application_status_labels=STATUS_LABELS)


def _page(request: Request, name: str, context: dict[str, Any]) -> HTMLResponse:
    return templates.TemplateResponse(request, name, {"portal_tab": name, **context})


# --- registration -----------------------------------------------------------------------------


@router.get("/portal/register", response_class=HTMLResponse)
async def register_page(request: Request, settings: AppSettings) -> Response:
    token = form_csrf_token(request)
    page = _page(request, "portal/register.html", {"form": {}, "csrf_token": token})
    return set_form_csrf_cookie(page, settings, token)


@router.post("/portal/register", response_class=HTMLResponse)
async def register(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    origin: RequestOrigin,
    name: Annotated[str, Form(max_length=1000)] = "",
    email: Annotated[str, Form(max_length=1000)] = "",
    password: Annotated[str, Form(max_length=2000)] = "",
    csrf_token: FormCsrfField = "",
) -> Response:
    token = check_form_csrf(request, csrf_token)
    form = {"name": name, "email": email}
    try:
        data = validated(RegisterCandidateIn, {**form, "password": password}, REGISTER_MESSAGES)
        await service.register_candidate(
            session,
            name=data.name,
            email=data.email,
            password=data.password,
            origin=origin,
            settings=settings,
        )
    except AppError as exc:
        refuse(
            request,
            exc,
            "portal/register.html",
            {"form": form, "csrf_token": token},
            fields={"name": "name", "email": "email", "password": "password"},
        )
    return see_other("/check-inbox?reason=register")


# --- home: applications and saved jobs --------------------------------------------------------


@router.get("/portal", response_class=HTMLResponse)
async def portal_home(
    request: Request, principal: AccountSession, session: DbSession
) -> HTMLResponse:
    applications = await service.my_applications(session, principal.user, limit=100)
    saved = await service.my_saved_jobs(session, principal.user)
    consents = await service.my_consents(session, principal.user)
    return _page(
        request,
        "portal/home.html",
        {
            "user": principal.user,
            "applications": applications,
            "saved_jobs": saved,
            "consents": consents,
        },
    )


@router.get("/portal/applications/{application_id}/withdraw", response_class=HTMLResponse)
async def withdraw_application_page(
    application_id: uuid.UUID, request: Request, principal: AccountSession, session: DbSession
) -> HTMLResponse:
    """The confirm step before withdrawing (works without JavaScript)."""
    application = await service.my_application(session, principal.user, application_id)
    return _page(
        request,
        "portal/withdraw.html",
        {"user": principal.user, "application": application, "form": {"reason": ""}},
    )


@router.post("/portal/applications/{application_id}/withdraw", response_class=HTMLResponse)
async def withdraw_application(
    application_id: uuid.UUID,
    request: Request,
    principal: AccountSession,
    session: DbSession,
    origin: RequestOrigin,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    application = await service.my_application(session, principal.user, application_id)
    try:
        data = validated(
            WithdrawApplicationIn,
            {"reason": reason},
            {"reason": "A reason has 300 characters at most."},
        )
        await service.withdraw_application(
            session, principal.user, application_id, reason=data.reason, origin=origin
        )
    except AppError as exc:
        context = {"user": principal.user, "application": application, "form": {"reason": reason}}
        refuse(request, exc, "portal/withdraw.html", context, fields={"reason": "reason"})
    return see_other("/portal", notice="application-withdrawn")


@router.post("/portal/consents/withdraw")
async def withdraw_consent(
    principal: AccountSession,
    session: DbSession,
    origin: RequestOrigin,
    organization_id: Annotated[str, Form(max_length=100)] = "",
    purpose: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    data = validated(
        WithdrawConsentIn,
        {"organization_id": organization_id or None, "purpose": purpose},
        {
            "organization_id": "Choose the organization the consent was given to.",
            "purpose": "Choose the consent to withdraw.",
            "": "Choose the organization the consent was given to.",
        },
    )
    await service.withdraw_consent(
        session,
        principal.user,
        purpose=data.purpose,
        candidate_id=None,
        organization_id=data.organization_id,
        origin=origin,
    )
    return see_other("/portal", notice="my-consent-withdrawn")


@router.post("/portal/saved-jobs/{job_id}/delete")
async def remove_saved_job(
    job_id: uuid.UUID, principal: AccountSession, session: DbSession
) -> Response:
    await service.unsave_job(session, principal.user, job_id)
    return see_other("/portal", notice="saved-job-removed")


# --- profile ----------------------------------------------------------------------------------


def _rows(columns: dict[str, Sequence[str]]) -> list[dict[str, str]]:
    """Repeated fieldsets as rows: the n-th value of every column."""
    count = max((len(values) for values in columns.values()), default=0)
    return [
        {name: (values[i] if i < len(values) else "") for name, values in columns.items()}
        for i in range(count)
    ]


def _filled(row: dict[str, str]) -> bool:
    return any(value.strip() for value in row.values())


def _profile_data(form: dict[str, Any]) -> dict[str, Any]:
    """The form's rows as `CandidateProfileIn` input; blank rows are left out."""
    return {
        "headline": form["headline"],
        "phone": form["phone"],
        "location": form["location"],
        "summary": form["summary"],
        "links": [line for line in form["links"].splitlines() if line.strip()],
        "skills": [
            {
                "name": row["name"],
                "level": row["level"].strip() or None,
                "years": row["years"].strip() or None,
            }
            for row in form["skills"]
            if _filled(row)
        ],
        "experience": [
            {
                "title": row["title"],
                "company": row["company"],
                "start_on": row["start_on"] or None,
                "end_on": row["end_on"] or None,
                "description": row["description"],
            }
            for row in form["experience"]
            if _filled(row)
        ],
        "education": [
            {
                "institution": row["institution"],
                "degree": row["degree"],
                "field": row["field"],
                "start_on": row["start_on"] or None,
                "end_on": row["end_on"] or None,
            }
            for row in form["education"]
            if _filled(row)
        ],
    }


def _stored_form(profile: service.Profile) -> dict[str, Any]:
    """The saved profile as the form shows it (strings), with blank rows to add more."""

    def text(value: Any) -> str:
        return "" if value is None else str(value)

    skills = [
        {"name": s.get("name", ""), "level": text(s.get("level")), "years": text(s.get("years"))}
        for s in profile.value("skills")
    ]
    experience = [
        {key: text(e.get(key)) for key in ("title", "company", "start_on", "end_on", "description")}
        for e in profile.value("experience")
    ]
    education = [
        {key: text(e.get(key)) for key in ("institution", "degree", "field", "start_on", "end_on")}
        for e in profile.value("education")
    ]
    return {
        "headline": text(profile.value("headline")),
        "phone": text(profile.value("phone")),
        "location": text(profile.value("location")),
        "summary": text(profile.value("summary")),
        "links": "\n".join(profile.value("links")),
        "skills": skills,
        "experience": experience,
        "education": education,
    }


def _with_blank_rows(form: dict[str, Any]) -> dict[str, Any]:
    blank_skill = {"name": "", "level": "", "years": ""}
    blank_job = dict.fromkeys(("title", "company", "start_on", "end_on", "description"), "")
    blank_school = dict.fromkeys(("institution", "degree", "field", "start_on", "end_on"), "")
    return {
        **form,
        "skills": [*form["skills"], blank_skill, dict(blank_skill), dict(blank_skill)],
        "experience": [*form["experience"], blank_job],
        "education": [*form["education"], blank_school],
    }


@router.get("/portal/profile", response_class=HTMLResponse)
async def profile_page(
    request: Request, principal: AccountSession, session: DbSession
) -> HTMLResponse:
    profile = await service.get_profile(session, principal.user)
    form = _with_blank_rows(_stored_form(profile))
    return _page(request, "portal/profile.html", {"user": principal.user, "form": form})


@router.post("/portal/profile", response_class=HTMLResponse)
async def save_profile(
    request: Request,
    principal: AccountSession,
    session: DbSession,
    origin: RequestOrigin,
    headline: Annotated[str, Form(max_length=1000)] = "",
    phone: Annotated[str, Form(max_length=100)] = "",
    location: Annotated[str, Form(max_length=1000)] = "",
    summary: Annotated[str, Form(max_length=20_000)] = "",
    links: Annotated[str, Form(max_length=20_000)] = "",
    skill_name: Annotated[list[str] | None, Form()] = None,
    skill_level: Annotated[list[str] | None, Form()] = None,
    skill_years: Annotated[list[str] | None, Form()] = None,
    exp_title: Annotated[list[str] | None, Form()] = None,
    exp_company: Annotated[list[str] | None, Form()] = None,
    exp_start_on: Annotated[list[str] | None, Form()] = None,
    exp_end_on: Annotated[list[str] | None, Form()] = None,
    exp_description: Annotated[list[str] | None, Form()] = None,
    edu_institution: Annotated[list[str] | None, Form()] = None,
    edu_degree: Annotated[list[str] | None, Form()] = None,
    edu_field: Annotated[list[str] | None, Form()] = None,
    edu_start_on: Annotated[list[str] | None, Form()] = None,
    edu_end_on: Annotated[list[str] | None, Form()] = None,
) -> Response:
    form: dict[str, Any] = {
        "headline": headline,
        "phone": phone,
        "location": location,
        "summary": summary,
        "links": links,
        "skills": _rows(
            {"name": skill_name or [], "level": skill_level or [], "years": skill_years or []}
        ),
        "experience": _rows(
            {
                "title": exp_title or [],
                "company": exp_company or [],
                "start_on": exp_start_on or [],
                "end_on": exp_end_on or [],
                "description": exp_description or [],
            }
        ),
        "education": _rows(
            {
                "institution": edu_institution or [],
                "degree": edu_degree or [],
                "field": edu_field or [],
                "start_on": edu_start_on or [],
                "end_on": edu_end_on or [],
            }
        ),
    }
    try:
        data = validated(CandidateProfileIn, _profile_data(form), PROFILE_MESSAGES)
        await service.update_profile(session, principal.user, data, origin)
    except AppError as exc:
        kept = {
            **form,
            "skills": [r for r in form["skills"] if _filled(r)],
            "experience": [r for r in form["experience"] if _filled(r)],
            "education": [r for r in form["education"] if _filled(r)],
        }
        context = {"user": principal.user, "form": _with_blank_rows(kept)}
        refuse(request, exc, "portal/profile.html", context)
    return see_other("/portal/profile", notice="profile-saved")


# --- documents --------------------------------------------------------------------------------


async def _documents_context(session: DbSession, principal: SignedIn) -> dict[str, Any]:
    return {
        "user": principal.user,
        "documents": await service.my_documents(session, principal.user),
        "kinds": DOCUMENT_KINDS,
        "max_documents": service.MAX_DOCUMENTS,
    }


@router.get("/portal/documents", response_class=HTMLResponse)
async def documents_page(
    request: Request, principal: AccountSession, session: DbSession
) -> HTMLResponse:
    context = await _documents_context(session, principal)
    return _page(request, "portal/documents.html", {**context, "form": {"kind": "resume"}})


@router.post("/portal/documents", response_class=HTMLResponse)
async def upload_document(
    request: Request,
    principal: AccountSession,
    session: DbSession,
    settings: AppSettings,
    origin: RequestOrigin,
    file: Annotated[UploadFile | None, File()] = None,
    kind: Annotated[str, Form(max_length=20)] = "resume",
) -> Response:
    try:
        await service.upload_document(
            session,
            principal.user,
            upload=await upload_of(file),
            kind=kind,
            origin=origin,
            settings=settings,
        )
    except AppError as exc:
        context = {**await _documents_context(session, principal), "form": {"kind": kind}}
        refuse(request, exc, "portal/documents.html", context, default_field="file")
    return see_other("/portal/documents", notice="document-uploaded")


@router.get("/portal/documents/{document_id}")
async def download_document(
    document_id: uuid.UUID, principal: AccountSession, session: DbSession
) -> Response:
    return download_response(
        await service.my_document(session, principal.user, document_id, with_content=True)
    )


@router.post("/portal/documents/{document_id}/delete")
async def delete_document(
    document_id: uuid.UUID, principal: AccountSession, session: DbSession, origin: RequestOrigin
) -> Response:
    await service.delete_document(session, principal.user, document_id, origin)
    return see_other("/portal/documents", notice="document-deleted")
