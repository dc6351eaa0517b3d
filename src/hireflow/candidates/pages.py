"""Candidates HTML pages: search and list (with "Add to job" for the selected), the new and
edit forms (with experience and education rows), the profile (documents, consents,
applications, possible duplicates, timeline with "Older events"),
merging with a confirmation page, and the CSV import (upload → preview → import → result).

Thin routes over the services the JSON API calls; the services check permissions again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.auth.pages import member_page
from hireflow.authz.context import Ctx, OrgCtx
from hireflow.authz.permissions import Permission
from hireflow.candidates import imports, merge, repository, service
from hireflow.candidates.schemas import (
    CandidateCreate,
    CandidateUpdate,
    ConsentCreate,
    Education,
    Experience,
    SortOrder,
)
from hireflow.db import DbSession
from hireflow.deps import AppSettings, RequestOrigin
from hireflow.documents.service import download_response
from hireflow.errors import AppError, Invalid
from hireflow.models import Candidate
from hireflow.models.candidate import CANDIDATE_SOURCES
from hireflow.web.templating import (
    FormInvalid,
    Notice,
    is_htmx,
    refuse,
    register_notices,
    see_other,
    templates,
    validated,
    with_query,
)

router = APIRouter(
    prefix="/organizations/{organization_id}",
    include_in_schema=False,
    dependencies=[Depends(member_page)],
)

register_notices(
    {
        "candidate-created": Notice("success", "Candidate added"),
        "candidate-saved": Notice("success", "Profile saved"),
        "document-uploaded": Notice("success", "File uploaded"),
        "document-deleted": Notice("success", "File deleted"),
        "consent-recorded": Notice("success", "Consent recorded"),
        "consent-withdrawn": Notice("success", "Consent withdrawn"),
        "candidates-merged": Notice(
            "success", "Records merged", "The duplicate's history is now part of this profile."
        ),
        "added-to-job": Notice("success", "Added to the job", "They start in its first stage."),
        "candidates-imported": Notice("success", "Candidates imported"),
    }
)

PAGE_SIZE = 50
PROFILE_MESSAGES = {
    "full_name": "Enter the candidate's name (200 characters at most).",
    "email": "Enter an email address like name@example.com.",
    "phone": "Keep the phone number under 40 characters.",
    "headline": "Keep the headline under 200 characters.",
    "location": "Keep the location under 200 characters.",
    "summary": "Keep the summary under 10,000 characters.",
    "source": "Choose where the candidate came from.",
    "tags": "Use at most 30 tags of 50 characters each.",
    "skills": "One skill per line, optionally with a level from 1 to 5: “Python: 4”.",
    "links": "One link per line, at most 20.",
    "experience": "Correct the positions marked below; a profile holds 50 at most.",
    "education": "Correct the schools marked below; a profile holds 50 at most.",
}
PROFILE_FIELDS = {name: name for name in PROFILE_MESSAGES}
# Per entry field; "" is the entry as a whole (its end before its start), shown at `end_on`.
EXPERIENCE_MESSAGES = {
    "title": "Enter the job title (200 characters at most).",
    "company": "Keep the company under 200 characters.",
    "start_on": "Enter a date like 2021-03-31.",
    "end_on": "Enter a date like 2021-03-31.",
    "description": "Keep the description under 5,000 characters.",
    "": "The end date cannot be before the start date.",
}
EDUCATION_MESSAGES = {
    "institution": "Enter the school (200 characters at most).",
    "degree": "Keep the degree under 200 characters.",
    "field": "Keep the field of study under 200 characters.",
    "start_on": "Enter a date like 2021-03-31.",
    "end_on": "Enter a date like 2021-03-31.",
    "": "The end date cannot be before the start date.",
}
EXPERIENCE_KEYS = ("title", "company", "start_on", "end_on", "description")
EDUCATION_KEYS = ("institution", "degree", "field", "start_on", "end_on")
BLANK_ROWS = 2  # empty fieldsets under the entries, to add new ones
TIMELINE_PAGE_SIZE = 30
SOURCE_LABELS = {
    "manual": "Added by hand",
    "careers_page": "Careers page",
    "import": "Import",
    "referral": "Referral",
    "agency": "Agency",
    "sourced": "Sourced",
    "portal": "Candidate portal",
}


def _base(ctx: Ctx) -> str:
    return f"/organizations/{ctx.organization.id}/candidates"


def _context(ctx: Ctx, **extra: Any) -> dict[str, Any]:
    return {
        "org": ctx.organization,
        "permissions": frozenset(p.value for p in ctx.permissions),
        "base": _base(ctx),
        "source_labels": SOURCE_LABELS,
        "source_options": [(s, SOURCE_LABELS[s]) for s in CANDIDATE_SOURCES],
        **extra,
    }


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


# --- search and list ------------------------------------------------------------------------


@router.get("/candidates", response_class=HTMLResponse)
async def candidates_page(
    request: Request,
    ctx: OrgCtx,
    session: DbSession,
    q: Annotated[str, Query(max_length=200)] = "",
    tag: Annotated[str, Query(max_length=50)] = "",
    source: Annotated[str, Query(max_length=40)] = "",
    job: Annotated[str, Query(max_length=40)] = "",
    sort: Annotated[str, Query(max_length=20)] = "",
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
) -> HTMLResponse:
    chosen_sort: SortOrder | None = sort if sort in ("relevance", "newest", "name") else None  # type: ignore[assignment]
    if chosen_sort == "relevance" and not q.strip():
        chosen_sort = None
    page = await service.search_candidates(
        session,
        ctx,
        q=q,
        tag=tag or None,
        source=source if source in CANDIDATE_SOURCES else None,
        job_id=_uuid(job),
        sort=chosen_sort,
        cursor=cursor,
        limit=PAGE_SIZE,
    )
    filters = {"q": q, "tag": tag, "source": source, "job": job, "sort": sort}
    next_url = (
        with_query(_base(ctx), **filters, cursor=page.next_cursor) if page.next_cursor else None
    )
    jobs = await repository.readable_jobs_list(session, ctx)
    context = _context(
        ctx,
        items=page.items,
        filters=filters,
        filtered=any(filters.values()),
        first_page_url=with_query(_base(ctx), **filters) if cursor else None,
        next_url=next_url,
        jobs=jobs,
        open_jobs=[(str(j.id), j.title) for j in jobs if j.status == "open"],
    )
    return templates.TemplateResponse(request, "candidates/list.html", context)


@router.post("/candidates/add-to-job", response_class=HTMLResponse)
async def add_to_job(
    ctx: OrgCtx,
    session: DbSession,
    origin: RequestOrigin,
    job_id: Annotated[str, Form(max_length=40)] = "",
    candidate_ids: Annotated[list[str] | None, Form()] = None,
) -> Response:
    job = _uuid(job_id)
    if job is None:
        raise Invalid("Choose a job.", extra={"field": "job_id"})
    ids = [i for i in (_uuid(v) for v in candidate_ids or []) if i is not None]
    await service.add_to_job(session, ctx, ids, job, origin)
    return see_other(_base(ctx), notice="added-to-job")


# --- new and edit ---------------------------------------------------------------------------


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def _skills(value: str) -> list[dict[str, Any]]:
    skills: list[dict[str, Any]] = []
    for line in _lines(value):
        name, _, level = line.rpartition(":") if ":" in line else (line, "", "")
        level = level.strip()
        skills.append(
            {"name": name.strip(), "level": int(level) if level.isdigit() else level or None}
        )
    return skills


# The form as typed: text fields, and experience and education rows.
ProfileForm = dict[str, Any]


def _profile_form(form: ProfileForm) -> dict[str, Any]:
    return {
        "full_name": form["full_name"],
        "email": form["email"] or None,
        "phone": form["phone"] or None,
        "headline": form["headline"] or None,
        "location": form["location"] or None,
        "summary": form["summary"] or None,
        "source": form["source"] or "manual",
        "tags": [t for t in form["tags"].split(",") if t.strip()],
        "skills": _skills(form["skills"]),
        "links": _lines(form["links"]),
    }


# Experience and education are repeated fieldsets, like the portal's profile form: one list per
# column (`exp_title`, …), the n-th values making the n-th entry. A row left blank is ignored;
# a row whose "Remove" box (`exp_remove`, valued with the row's index) is ticked is dropped.
Row = dict[str, Any]  # the typed values (str) and "remove" (bool)


def _filled(row: Row) -> bool:
    return any(isinstance(v, str) and v.strip() for v in row.values())


def _rows(columns: dict[str, list[str] | None], removed: list[str] | None) -> list[Row]:
    """The submitted rows that hold something, as typed."""
    count = max((len(values or []) for values in columns.values()), default=0)
    ticked = set(removed or [])
    rows: list[Row] = []
    for index in range(count):
        row: Row = {
            name: (values[index] if values and index < len(values) else "")
            for name, values in columns.items()
        }
        row["remove"] = str(index) in ticked
        if _filled(row):
            rows.append(row)
    return rows


@dataclass
class EntryRows:
    experience: list[Row]
    education: list[Row]


ColumnValues = Annotated[list[str] | None, Form()]


async def _entry_rows(
    exp_title: ColumnValues = None,
    exp_company: ColumnValues = None,
    exp_start_on: ColumnValues = None,
    exp_end_on: ColumnValues = None,
    exp_description: ColumnValues = None,
    exp_remove: ColumnValues = None,
    edu_institution: ColumnValues = None,
    edu_degree: ColumnValues = None,
    edu_field: ColumnValues = None,
    edu_start_on: ColumnValues = None,
    edu_end_on: ColumnValues = None,
    edu_remove: ColumnValues = None,
) -> EntryRows:
    experience = {
        "title": exp_title,
        "company": exp_company,
        "start_on": exp_start_on,
        "end_on": exp_end_on,
        "description": exp_description,
    }
    education = {
        "institution": edu_institution,
        "degree": edu_degree,
        "field": edu_field,
        "start_on": edu_start_on,
        "end_on": edu_end_on,
    }
    return EntryRows(_rows(experience, exp_remove), _rows(education, edu_remove))


FormRows = Annotated[EntryRows, Depends(_entry_rows)]


def _entry(row: Row, keys: tuple[str, ...]) -> dict[str, Any]:
    return {key: row[key].replace("\r\n", "\n").strip() or None for key in keys}


def _entries(
    section: str,
    rows: list[Row],
    keys: tuple[str, ...],
    model: type[BaseModel],
    messages: dict[str, str],
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The rows kept, as schema input, and the errors of each (`experience-2-end_on`: the
    message next to the third row's end date)."""
    entries: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    for index, row in enumerate(rows):
        if row["remove"]:
            continue
        entry = _entry(row, keys)
        entries.append(entry)
        try:
            model.model_validate(entry)
        except ValidationError as exc:
            for error in exc.errors():
                name = str(error["loc"][0]) if error["loc"] else ""
                errors.setdefault(
                    f"{section}-{index}-{name or 'end_on'}",
                    messages.get(name, "Check this field."),
                )
    return entries, errors


M = TypeVar("M", CandidateCreate, CandidateUpdate)


def _checked(model: type[M], form: ProfileForm) -> M:
    """The form as `model` (what the API takes), or `FormInvalid` with every field's message,
    those of experience and education rows included."""
    experience, experience_errors = _entries(
        "experience", form["experience"], EXPERIENCE_KEYS, Experience, EXPERIENCE_MESSAGES
    )
    education, education_errors = _entries(
        "education", form["education"], EDUCATION_KEYS, Education, EDUCATION_MESSAGES
    )
    rows = {**experience_errors, **education_errors}
    data = {**_profile_form(form), "experience": experience, "education": education}
    try:
        body = validated(model, data, PROFILE_MESSAGES)
    except FormInvalid as exc:
        raise FormInvalid({**exc.fields, **rows}) from exc
    if rows:  # the model refuses what a row refuses; kept in case that ever changes
        raise FormInvalid(rows)
    return body


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _form_of(candidate: Candidate) -> ProfileForm:
    skills = []
    for skill in candidate.skills:
        level = skill.get("level")
        skills.append(f"{skill.get('name')}: {level}" if level else str(skill.get("name")))
    return {
        "full_name": candidate.full_name,
        "email": candidate.email or "",
        "phone": candidate.phone or "",
        "headline": candidate.headline or "",
        "location": candidate.location or "",
        "summary": candidate.summary or "",
        "source": candidate.source,
        "tags": ", ".join(candidate.tags),
        "skills": "\n".join(skills),
        "links": "\n".join(candidate.links),
        "experience": [
            {**{key: _text(entry.get(key)) for key in EXPERIENCE_KEYS}, "remove": False}
            for entry in candidate.experience
        ],
        "education": [
            {**{key: _text(entry.get(key)) for key in EDUCATION_KEYS}, "remove": False}
            for entry in candidate.education
        ],
    }


def _with_blank_rows(form: ProfileForm) -> ProfileForm:
    """The form as shown: its entries, then empty fieldsets to add more."""
    blank_job: Row = {**dict.fromkeys(EXPERIENCE_KEYS, ""), "remove": False}
    blank_school: Row = {**dict.fromkeys(EDUCATION_KEYS, ""), "remove": False}
    return {
        **form,
        "experience": [*form.get("experience", []), *(dict(blank_job) for _ in range(BLANK_ROWS))],
        "education": [*form.get("education", []), *(dict(blank_school) for _ in range(BLANK_ROWS))],
    }


FormText = Annotated[str, Form(max_length=10_000)]
FormLong = Annotated[str, Form(max_length=20_000)]


def _posted_profile(
    rows: FormRows,
    full_name: FormText = "",
    email: FormText = "",
    phone: FormText = "",
    headline: FormText = "",
    location: FormText = "",
    summary: FormLong = "",
    source: FormText = "manual",
    tags: FormText = "",
    skills: FormLong = "",
    links: FormLong = "",
) -> ProfileForm:
    """The profile fields of a posted new-candidate or edit form, as typed."""
    return {
        "full_name": full_name,
        "email": email,
        "phone": phone,
        "headline": headline,
        "location": location,
        "summary": summary,
        "source": source,
        "tags": tags,
        "skills": skills,
        "links": links,
        "experience": rows.experience,
        "education": rows.education,
    }


PostedProfile = Annotated[ProfileForm, Depends(_posted_profile)]


@router.get("/candidates/new", response_class=HTMLResponse)
async def new_candidate_page(request: Request, ctx: OrgCtx) -> HTMLResponse:
    ctx.require(Permission.CANDIDATES_WRITE)
    form = _with_blank_rows({"source": "manual", "experience": [], "education": []})
    context = _context(ctx, candidate=None, form=form)
    return templates.TemplateResponse(request, "candidates/form.html", context)


@router.post("/candidates", response_class=HTMLResponse)
async def create_candidate(
    request: Request,
    ctx: OrgCtx,
    session: DbSession,
    origin: RequestOrigin,
    form: PostedProfile,
) -> Response:
    try:
        body = _checked(CandidateCreate, form)
        candidate, _ = await service.create_candidate(session, ctx, body, origin)
    except AppError as exc:
        context = _context(ctx, candidate=None, form=_with_blank_rows(form))
        refuse(request, exc, "candidates/form.html", context, fields=PROFILE_FIELDS)
    return see_other(f"{_base(ctx)}/{candidate.id}", notice="candidate-created")


# --- CSV import (before /candidates/{candidate_id}) -----------------------------------------


def _imports_url(ctx: Ctx) -> str:
    return f"/organizations/{ctx.organization.id}/candidate-imports"


@router.get("/candidate-imports/new", response_class=HTMLResponse)
async def import_page(request: Request, ctx: OrgCtx) -> HTMLResponse:
    ctx.require(Permission.CANDIDATES_WRITE)
    context = _context(ctx, batch=None, columns=sorted(imports.KNOWN))
    return templates.TemplateResponse(request, "candidates/import.html", context)


@router.post("/candidate-imports", response_class=HTMLResponse)
async def upload_import(
    request: Request,
    ctx: OrgCtx,
    session: DbSession,
    settings: AppSettings,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    try:
        if file is None:
            raise Invalid("Choose a CSV file.", extra={"field": "file"})
        data = await file.read(settings.max_upload_bytes + 1)
        batch = await imports.preview_import(session, ctx, filename=file.filename, data=data)
    except AppError as exc:
        context = _context(ctx, batch=None, columns=sorted(imports.KNOWN))
        refuse(request, exc, "candidates/import.html", context, default_field="file")
    return see_other(f"{_imports_url(ctx)}/{batch.id}")


@router.get("/candidate-imports/{import_id}", response_class=HTMLResponse)
async def import_result_page(
    request: Request, import_id: uuid.UUID, ctx: OrgCtx, session: DbSession
) -> HTMLResponse:
    batch = await imports.get_import(session, ctx, import_id)
    context = _context(ctx, batch=imports.import_read(batch), columns=sorted(imports.KNOWN))
    return templates.TemplateResponse(request, "candidates/import.html", context)


@router.post("/candidate-imports/{import_id}/import", response_class=HTMLResponse)
async def run_import(
    request: Request,
    import_id: uuid.UUID,
    ctx: OrgCtx,
    session: DbSession,
    origin: RequestOrigin,
    duplicates: Annotated[str, Form(max_length=10)] = "skip",
) -> Response:
    try:
        await imports.run_import(session, ctx, import_id, duplicates=duplicates, origin=origin)
    except AppError as exc:
        batch = await imports.get_import(session, ctx, import_id)
        context = _context(ctx, batch=imports.import_read(batch), columns=sorted(imports.KNOWN))
        refuse(request, exc, "candidates/import.html", context)
    return see_other(f"{_imports_url(ctx)}/{import_id}", notice="candidates-imported")


# --- profile --------------------------------------------------------------------------------


async def _profile_context(session: AsyncSession, ctx: Ctx, candidate: Candidate) -> dict[str, Any]:
    merged = candidate.merged_into_id is not None
    timeline = await service.timeline(session, ctx, candidate.id, limit=TIMELINE_PAGE_SIZE)
    return _context(
        ctx,
        candidate=candidate,
        documents=await repository.documents_of(session, candidate.id),
        consents=await repository.consents_of(session, candidate.id),
        applications=await service.candidate_applications(session, ctx, candidate),
        duplicates=[] if merged else await service.possible_duplicates(session, ctx, candidate),
        timeline=timeline.items,
        older_url=_older_url(ctx, candidate.id, timeline.next_cursor),
        form={},
    )


@router.get("/candidates/{candidate_id}", response_class=HTMLResponse)
async def profile_page(
    request: Request, candidate_id: uuid.UUID, ctx: OrgCtx, session: DbSession
) -> HTMLResponse:
    candidate = await service.get_candidate(session, ctx, candidate_id)
    context = await _profile_context(session, ctx, candidate)
    return templates.TemplateResponse(request, "candidates/profile.html", context)


def _older_url(ctx: Ctx, candidate_id: uuid.UUID, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    return with_query(f"{_base(ctx)}/{candidate_id}/timeline", cursor=cursor)


@router.get("/candidates/{candidate_id}/timeline", response_class=HTMLResponse)
async def timeline_page(
    request: Request,
    candidate_id: uuid.UUID,
    ctx: OrgCtx,
    session: DbSession,
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
) -> HTMLResponse:
    """Older timeline events (keyset, after `cursor`): the list items htmx's "Older events"
    appends in place of its own, else a page of them (the link without JavaScript)."""
    timeline = await service.timeline(
        session, ctx, candidate_id, cursor=cursor, limit=TIMELINE_PAGE_SIZE
    )
    context = _context(
        ctx,
        timeline=timeline.items,
        older_url=_older_url(ctx, candidate_id, timeline.next_cursor),
    )
    if is_htmx(request):
        return templates.TemplateResponse(request, "candidates/_timeline_items.html", context)
    context["candidate"] = await service.get_candidate(session, ctx, candidate_id)
    return templates.TemplateResponse(request, "candidates/timeline.html", context)


@router.get("/candidates/{candidate_id}/edit", response_class=HTMLResponse)
async def edit_page(
    request: Request, candidate_id: uuid.UUID, ctx: OrgCtx, session: DbSession
) -> HTMLResponse:
    ctx.require(Permission.CANDIDATES_WRITE)
    candidate = await service.get_candidate(session, ctx, candidate_id)
    context = _context(ctx, candidate=candidate, form=_with_blank_rows(_form_of(candidate)))
    return templates.TemplateResponse(request, "candidates/form.html", context)


@router.post("/candidates/{candidate_id}/edit", response_class=HTMLResponse)
async def update_candidate(
    request: Request,
    candidate_id: uuid.UUID,
    ctx: OrgCtx,
    session: DbSession,
    origin: RequestOrigin,
    form: PostedProfile,
) -> Response:
    try:
        body = _checked(CandidateUpdate, form)
        await service.update_candidate(session, ctx, candidate_id, body, origin)
    except AppError as exc:
        candidate = await service.get_candidate(session, ctx, candidate_id)
        context = _context(ctx, candidate=candidate, form=_with_blank_rows(form))
        refuse(request, exc, "candidates/form.html", context, fields=PROFILE_FIELDS)
    return see_other(f"{_base(ctx)}/{candidate_id}", notice="candidate-saved")


async def _refuse_on_profile(
    request: Request, exc: AppError, session: AsyncSession, ctx: Ctx, candidate_id: uuid.UUID
) -> None:
    candidate = await service.get_candidate(session, ctx, candidate_id)
    context = await _profile_context(session, ctx, candidate)
    refuse(request, exc, "candidates/profile.html", context)


@router.post("/candidates/{candidate_id}/documents", response_class=HTMLResponse)
async def upload_document(
    request: Request,
    candidate_id: uuid.UUID,
    ctx: OrgCtx,
    session: DbSession,
    settings: AppSettings,
    origin: RequestOrigin,
    file: Annotated[UploadFile | None, File()] = None,
    kind: Annotated[str, Form(max_length=20)] = "resume",
) -> Response:
    try:
        if file is None:
            raise Invalid("Choose a file to upload.")
        data = await file.read(settings.max_document_bytes + 1)
        await service.add_document(
            session,
            ctx,
            candidate_id,
            filename=file.filename,
            data=data,
            kind=kind,
            settings=settings,
            origin=origin,
        )
    except AppError as exc:
        await _refuse_on_profile(request, exc, session, ctx, candidate_id)
    return see_other(f"{_base(ctx)}/{candidate_id}", notice="document-uploaded")


@router.get("/candidates/{candidate_id}/documents/{document_id}")
async def download_document(
    candidate_id: uuid.UUID, document_id: uuid.UUID, ctx: OrgCtx, session: DbSession
) -> Response:
    document = await service.get_document(session, ctx, candidate_id, document_id)
    return download_response(document)


@router.post(
    "/candidates/{candidate_id}/documents/{document_id}/delete", response_class=HTMLResponse
)
async def delete_document(
    request: Request,
    candidate_id: uuid.UUID,
    document_id: uuid.UUID,
    ctx: OrgCtx,
    session: DbSession,
    origin: RequestOrigin,
) -> Response:
    try:
        await service.delete_document(session, ctx, candidate_id, document_id, origin)
    except AppError as exc:
        await _refuse_on_profile(request, exc, session, ctx, candidate_id)
    return see_other(f"{_base(ctx)}/{candidate_id}", notice="document-deleted")


@router.post("/candidates/{candidate_id}/consents", response_class=HTMLResponse)
async def give_consent(
    request: Request,
    candidate_id: uuid.UUID,
    ctx: OrgCtx,
    session: DbSession,
    origin: RequestOrigin,
    purpose: FormText = "",
    statement: FormText = "",
) -> Response:
    try:
        body = validated(
            ConsentCreate,
            {"purpose": purpose.strip(), "statement": statement.strip()},
            {
                "purpose": "Name the purpose in lowercase words joined by _ (talent_pool).",
                "statement": "Enter the words the candidate agreed to.",
            },
        )
        await service.give_consent(
            session,
            ctx,
            candidate_id,
            purpose=body.purpose,
            statement=body.statement,
            source=body.source,
            origin=origin,
        )
    except AppError as exc:
        await _refuse_on_profile(request, exc, session, ctx, candidate_id)
    return see_other(f"{_base(ctx)}/{candidate_id}", notice="consent-recorded")


@router.post("/candidates/{candidate_id}/consents/withdraw", response_class=HTMLResponse)
async def withdraw_consent(
    request: Request,
    candidate_id: uuid.UUID,
    ctx: OrgCtx,
    session: DbSession,
    origin: RequestOrigin,
    purpose: Annotated[str, Form(max_length=60)] = "",
) -> Response:
    try:
        await service.withdraw_consent(session, ctx, candidate_id, purpose=purpose, origin=origin)
    except AppError as exc:
        await _refuse_on_profile(request, exc, session, ctx, candidate_id)
    return see_other(f"{_base(ctx)}/{candidate_id}", notice="consent-withdrawn")


@router.get("/candidates/{candidate_id}/merge", response_class=HTMLResponse)
async def merge_page(
    request: Request,
    candidate_id: uuid.UUID,
    ctx: OrgCtx,
    session: DbSession,
    duplicate_id: uuid.UUID,
) -> HTMLResponse:
    ctx.require(Permission.CANDIDATES_WRITE)
    primary = await service.get_candidate(session, ctx, candidate_id)
    duplicate = await service.get_candidate(session, ctx, duplicate_id)
    context = _context(
        ctx,
        primary=primary,
        duplicate=duplicate,
        duplicate_applications=await service.candidate_applications(session, ctx, duplicate),
        duplicate_documents=await repository.documents_of(session, duplicate.id),
    )
    return templates.TemplateResponse(request, "candidates/merge.html", context)


@router.post("/candidates/{candidate_id}/merge", response_class=HTMLResponse)
async def merge_candidates(
    candidate_id: uuid.UUID,
    ctx: OrgCtx,
    session: DbSession,
    origin: RequestOrigin,
    duplicate_id: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    duplicate = _uuid(duplicate_id)
    if duplicate is None:
        raise Invalid("Choose the duplicate to merge.", extra={"field": "duplicate_id"})
    await merge.merge_candidates(session, ctx, candidate_id, duplicate, origin)
    return see_other(f"{_base(ctx)}/{candidate_id}", notice="candidates-merged")
