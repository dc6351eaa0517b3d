"""Library HTML pages: the browser (filters, search), an item with its versions and workflow
buttons, the editor (rubric; for challenges the statement, starter code and tests as JSON), the
review queue, drafting from a job description, and import/export. Thin routes over the
services the JSON API calls; forms post without JavaScript."""

from __future__ import annotations

import json
import re
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from hireflow.auth.pages import member_page
from hireflow.authz.context import Ctx, requires
from hireflow.authz.permissions import Permission
from hireflow.db import DbSession
from hireflow.deps import AppSettings, RequestOrigin
from hireflow.errors import AppError, Invalid, NotFound
from hireflow.library import drafting, runs, service, transfer
from hireflow.library.schemas import ChallengeIn, DraftRequest, QuestionIn, RunRequest
from hireflow.web.templating import (
    Notice,
    refuse,
    register_notices,
    see_other,
    templates,
    validated,
    with_query,
)

router = APIRouter(
    prefix="/organizations/{organization_id}/library",
    include_in_schema=False,
    dependencies=[Depends(member_page)],
)

Reader = Annotated[Ctx, Depends(requires(Permission.LIBRARY_READ))]
Writer = Annotated[Ctx, Depends(requires(Permission.LIBRARY_WRITE))]
PAGE_SIZE = 25
CRITERIA_ROWS = 5
MAX_UPLOAD = 5 * 1024 * 1024

register_notices(
    {
        "library-created": Notice(
            "success", "Item created", "It is a draft: submit it for review."
        ),
        "library-saved": Notice("success", "Item saved"),
        "library-submitted": Notice("success", "Submitted for review"),
        "library-approved": Notice("success", "Approved", "This version is now the one in use."),
        "library-rejected": Notice("info", "Rejected", "The author can edit it and resubmit."),
        "library-retired": Notice(
            "success", "Retired", "New kits and interviews no longer use it."
        ),
        "library-drafted": Notice("success", "Drafts created", "They wait in the review queue."),
        "library-imported": Notice("success", "Items imported", "Each is a draft."),
    }
)

STATUS_TONES = {
    "draft": "neutral",
    "in_review": "warning",
    "approved": "success",
    "rejected": "danger",
    "retired": "neutral",
}
KIND_LABELS = {"question": "Question", "challenge": "Coding challenge"}
TYPE_OPTIONS = [
    ("behavioural", "Behavioural"),
    ("technical", "Technical"),
    ("situational", "Situational"),
]
SENIORITY_OPTIONS = [("junior", "Junior"), ("mid", "Mid"), ("senior", "Senior"), ("lead", "Lead")]
LANGUAGE_LABELS = {"python": "Python", "javascript": "JavaScript"}
MESSAGES = {
    "title": "Give the item a title (200 characters at most).",
    "type": "Choose behavioural, technical or situational.",
    "prompt": "Write the question (4,000 characters at most).",
    "statement": "Write the challenge's statement (8,000 characters at most).",
    "languages": "Choose Python, JavaScript or both, with starter code for each.",
    "starter_code": "Give starter code for each chosen language.",
    "entrypoint": "The function's name: letters, digits and _, not starting with a digit.",
    "tests": "Give at least one visible and one hidden test, each with a name, args (a JSON "
    "list) and expected (JSON).",
    "time_limit_seconds": "A whole number of seconds from 60 to 7,200.",
    "skills": "List at most 20 skills of up to 60 characters each.",
    "seniority": "Choose a seniority, or none.",
    "category": "Keep the category under 40 characters.",
    "rubric": "Each criterion needs a key (lowercase letters, digits, _), a description and "
    "four levels; keys differ.",
    "kind": "Choose a question or a challenge.",
}
FIELDS = {name: name for name in MESSAGES}


def _base(ctx: Ctx) -> str:
    return f"/organizations/{ctx.organization.id}/library"


def _context(ctx: Ctx, tab: str, **extra: Any) -> dict[str, Any]:
    return {
        "org": ctx.organization,
        "tab": tab,
        "base": _base(ctx),
        "can_write": ctx.can(Permission.LIBRARY_WRITE),
        "can_approve": ctx.can(Permission.LIBRARY_APPROVE),
        "status_labels": service.STATUS_LABELS,
        "status_tones": STATUS_TONES,
        "kind_labels": KIND_LABELS,
        "action_labels": service.ACTION_LABELS,
        "language_labels": LANGUAGE_LABELS,
        **extra,
    }


# --- the browser and the review queue ------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
async def library_page(
    request: Request,
    ctx: Reader,
    session: DbSession,
    kind: Annotated[str, Query(max_length=20)] = "",
    status: Annotated[str, Query(max_length=20)] = "",
    skill: Annotated[str, Query(max_length=60)] = "",
    seniority: Annotated[str, Query(max_length=20)] = "",
    category: Annotated[str, Query(max_length=40)] = "",
    ai: Annotated[str, Query(max_length=5)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    cursor: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    filters = {
        "kind": kind if kind in KIND_LABELS else "",
        "status": status if status in service.STATUS_LABELS else "",
        "skill": skill.strip(),
        "seniority": seniority if seniority in dict(SENIORITY_OPTIONS) else "",
        "category": category.strip(),
        "ai": ai if ai in {"yes", "no"} else "",
        "q": q.strip(),
    }
    try:
        page = await service.list_items(
            session,
            ctx,
            kind=filters["kind"] or None,
            status=filters["status"] or None,
            skill=filters["skill"] or None,
            seniority=filters["seniority"] or None,
            category=filters["category"] or None,
            ai_generated={"yes": True, "no": False}.get(filters["ai"]),
            q=filters["q"] or None,
            cursor=cursor or None,
            limit=PAGE_SIZE,
        )
    except Invalid:
        page = await service.list_items(session, ctx, limit=PAGE_SIZE)
        cursor = ""
    url = with_query(_base(ctx), **{k: v or None for k, v in filters.items()})
    context = _context(
        ctx,
        "library",
        rows=page.rows,
        filters=filters,
        filtered=any(filters.values()),
        kind_options=list(KIND_LABELS.items()),
        status_options=list(service.STATUS_LABELS.items()),
        seniority_options=SENIORITY_OPTIONS,
        ai_options=[("yes", "AI-generated"), ("no", "Written by people")],
        first_url=url if cursor else None,
        next_url=with_query(url, cursor=page.next_cursor) if page.next_cursor else None,
    )
    return templates.TemplateResponse(request, "library/list.html", context)


@router.get("/review", response_class=HTMLResponse)
async def review_page(request: Request, ctx: Reader, session: DbSession) -> HTMLResponse:
    rows = await service.review_queue(session, ctx)
    return templates.TemplateResponse(
        request, "library/review.html", _context(ctx, "review", rows=rows)
    )


# --- an item ----------------------------------------------------------------------------------


def _item_context(ctx: Ctx, view: service.ItemView, **extra: Any) -> dict[str, Any]:
    content = view.latest.content
    languages = list(content.get("languages") or [])
    starter = (content.get("starter_code") or {}).get(languages[0], "") if languages else ""
    return _context(
        ctx,
        "library",
        view=view,
        item=view.item,
        latest=view.latest,
        run_form={"language": languages[0] if languages else "", "code": starter},
        language_options=[(lang, LANGUAGE_LABELS.get(lang, lang)) for lang in languages],
        run=None,
        **extra,
    )


@router.get("/items/{item_id}", response_class=HTMLResponse)
async def item_page(
    request: Request, item_id: uuid.UUID, ctx: Reader, session: DbSession
) -> HTMLResponse:
    view = await service.item_view(session, ctx, item_id)
    return templates.TemplateResponse(request, "library/item.html", _item_context(ctx, view))


@router.post("/items/{item_id}/versions/{number}/run", response_class=HTMLResponse)
async def run_code(
    request: Request,
    item_id: uuid.UUID,
    number: Annotated[int, Path(ge=1, le=1_000_000)],
    ctx: Writer,
    session: DbSession,
    origin: RequestOrigin,
    language: Annotated[str, Form(max_length=20)] = "",
    code: Annotated[str, Form(max_length=40_000)] = "",
) -> HTMLResponse:
    view = await service.item_view(session, ctx, item_id)
    form = {"language": language, "code": code}
    try:
        body = validated(
            RunRequest,
            form,
            {"language": "Choose a language of the challenge.", "code": "Write some code."},
        )
        run = await runs.run_version(session, ctx, item_id, number, body, origin)
    except AppError as exc:
        context = _item_context(ctx, view) | {"run_form": form}
        refuse(
            request,
            exc,
            "library/item.html",
            context,
            fields={"language": "language", "code": "code"},
        )
    context = _item_context(ctx, view) | {"run_form": form, "run": run}
    return templates.TemplateResponse(request, "library/item.html", context)


# --- the editor ----------------------------------------------------------------------------------


def _blank_form(kind: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "title": "",
        "type": "technical",
        "prompt": "",
        "statement": "",
        "languages": ["python"],
        "starter_python": "",
        "starter_javascript": "",
        "entrypoint": "",
        "tests": "[]",
        "time_limit_seconds": "1800",
        "skills": "",
        "seniority": "",
        "category": "",
        "ideal_answer": "",
        "criteria": [{"key": "", "description": "", "levels": ["", "", "", ""]}] * CRITERIA_ROWS,
    }


def _form_of(kind: str, version: Any) -> dict[str, Any]:
    content = version.content
    rubric = content.get("rubric") or {}
    criteria = list(rubric.get("criteria") or [])
    criteria += [{"key": "", "description": "", "levels": ["", "", "", ""]}] * max(
        0, CRITERIA_ROWS - len(criteria)
    )
    starter = content.get("starter_code") or {}
    return {
        **_blank_form(kind),
        "title": version.title,
        "type": content.get("type", "technical"),
        "prompt": content.get("prompt", ""),
        "statement": content.get("statement", ""),
        "languages": list(content.get("languages") or ["python"]),
        "starter_python": starter.get("python", ""),
        "starter_javascript": starter.get("javascript", ""),
        "entrypoint": content.get("entrypoint", ""),
        "tests": json.dumps(content.get("tests") or [], indent=2),
        "time_limit_seconds": str(content.get("time_limit_seconds") or 1800),
        "skills": ", ".join(version.skills),
        "seniority": version.seniority or "",
        "category": version.category or "",
        "ideal_answer": rubric.get("ideal_answer", ""),
        "criteria": criteria,
    }


async def _posted(request: Request, kind: str) -> dict[str, Any]:
    raw = await request.form()

    def text(name: str) -> str:
        value = raw.get(name, "")
        return value if isinstance(value, str) else ""

    criteria = []
    for n in range(CRITERIA_ROWS):
        criteria.append(
            {
                "key": text(f"criterion_{n}_key").strip(),
                "description": text(f"criterion_{n}_description").strip(),
                "levels": [text(f"criterion_{n}_level_{m}").strip() for m in range(4)],
            }
        )
    return {
        "kind": kind,
        "title": text("title"),
        "type": text("type"),
        "prompt": text("prompt"),
        "statement": text("statement"),
        "languages": [v for v in raw.getlist("languages") if v in LANGUAGE_LABELS],
        "starter_python": text("starter_python"),
        "starter_javascript": text("starter_javascript"),
        "entrypoint": text("entrypoint"),
        "tests": text("tests"),
        "time_limit_seconds": text("time_limit_seconds"),
        "skills": text("skills"),
        "seniority": text("seniority"),
        "category": text("category"),
        "ideal_answer": text("ideal_answer"),
        "criteria": criteria,
    }


def _body(form: dict[str, Any]) -> QuestionIn | ChallengeIn:
    data: dict[str, Any] = {
        "kind": form["kind"],
        "title": form["title"],
        "skills": [s for s in re.split(r"[,\n]", form["skills"]) if s.strip()],
        "seniority": form["seniority"] or None,
        "category": form["category"].strip() or None,
        "rubric": {
            "criteria": [
                c for c in form["criteria"] if c["key"] or c["description"] or any(c["levels"])
            ],
            "ideal_answer": form["ideal_answer"],
        },
    }
    if form["kind"] == "question":
        data |= {"type": form["type"], "prompt": form["prompt"]}
        return validated(QuestionIn, data, MESSAGES)
    try:
        tests = json.loads(form["tests"] or "[]")
    except ValueError:
        tests = None
    data |= {
        "statement": form["statement"],
        "languages": form["languages"],
        "starter_code": {lang: form[f"starter_{lang}"] for lang in form["languages"]},
        "entrypoint": form["entrypoint"].strip(),
        "tests": tests,
        "time_limit_seconds": form["time_limit_seconds"].strip() or None,
    }
    return validated(ChallengeIn, data, MESSAGES)


def _editor(ctx: Ctx, form: dict[str, Any], item: Any = None) -> dict[str, Any]:
    return _context(
        ctx,
        "library",
        form=form,
        item=item,
        type_options=TYPE_OPTIONS,
        seniority_options=SENIORITY_OPTIONS,
    )


@router.get("/new", response_class=HTMLResponse)
async def new_item_page(
    request: Request, ctx: Writer, kind: Annotated[str, Query(max_length=20)] = "question"
) -> HTMLResponse:
    kind = kind if kind in KIND_LABELS else "question"
    return templates.TemplateResponse(request, "library/form.html", _editor(ctx, _blank_form(kind)))


@router.post("/new", response_class=HTMLResponse)
async def create_item(
    request: Request,
    ctx: Writer,
    session: DbSession,
    origin: RequestOrigin,
    kind: Annotated[str, Query(max_length=20)] = "question",
) -> Response:
    form = await _posted(request, kind if kind in KIND_LABELS else "question")
    try:
        item, _ = await service.create_item(session, ctx, _body(form), origin)
    except AppError as exc:
        refuse(request, exc, "library/form.html", _editor(ctx, form), fields=FIELDS)
    return see_other(f"{_base(ctx)}/items/{item.id}", notice="library-created")


@router.get("/items/{item_id}/edit", response_class=HTMLResponse)
async def edit_item_page(
    request: Request, item_id: uuid.UUID, ctx: Writer, session: DbSession
) -> HTMLResponse:
    view = await service.item_view(session, ctx, item_id)
    form = _form_of(view.item.kind, view.latest)
    return templates.TemplateResponse(request, "library/form.html", _editor(ctx, form, view.item))


@router.post("/items/{item_id}/edit", response_class=HTMLResponse)
async def edit_item(
    request: Request, item_id: uuid.UUID, ctx: Writer, session: DbSession, origin: RequestOrigin
) -> Response:
    item = await service.get_item(session, ctx, item_id)
    form = await _posted(request, item.kind)
    try:
        await service.edit_item(session, ctx, item_id, _body(form), origin)
    except AppError as exc:
        refuse(request, exc, "library/form.html", _editor(ctx, form, item), fields=FIELDS)
    return see_other(f"{_base(ctx)}/items/{item_id}", notice="library-saved")


# --- drafting from a job description --------------------------------------------------------


@router.get("/drafts", response_class=HTMLResponse)
async def drafts_page(request: Request, ctx: Writer) -> HTMLResponse:
    form = {"job_description": "", "role": "", "skills": "", "count": "5", "seniority": ""}
    context = _context(ctx, "drafts", form=form, seniority_options=SENIORITY_OPTIONS)
    return templates.TemplateResponse(request, "library/drafts.html", context)


@router.post("/drafts", response_class=HTMLResponse)
async def create_drafts(
    request: Request,
    ctx: Writer,
    session: DbSession,
    settings: AppSettings,
    origin: RequestOrigin,
    job_description: Annotated[str, Form(max_length=40_000)] = "",
    role: Annotated[str, Form(max_length=1000)] = "",
    skills: Annotated[str, Form(max_length=4000)] = "",
    count: Annotated[str, Form(max_length=10)] = "5",
    seniority: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    form = {
        "job_description": job_description,
        "role": role,
        "skills": skills,
        "count": count,
        "seniority": seniority,
    }
    messages = {
        "job_description": "Paste the job description (20 to 20,000 characters).",
        "role": "Keep the role under 120 characters.",
        "skills": "List at most 20 skills of up to 60 characters each.",
        "count": "Ask for 1 to 10 questions.",
        "seniority": "Choose a seniority, or none.",
    }
    try:
        body = validated(
            DraftRequest,
            {
                "job_description": job_description,
                "role": role.strip() or None,
                "skills": [s for s in re.split(r"[,\n]", skills) if s.strip()],
                "count": count.strip() or "5",
                "seniority": seniority or None,
            },
            messages,
        )
        await drafting.draft_from_job_description(session, ctx, body, settings, origin)
    except AppError as exc:
        context = _context(ctx, "drafts", form=form, seniority_options=SENIORITY_OPTIONS)
        refuse(request, exc, "library/drafts.html", context, fields={k: k for k in messages})
    return see_other(f"{_base(ctx)}/review", notice="library-drafted")


# --- import and export ---------------------------------------------------------------------------


@router.get("/transfer", response_class=HTMLResponse)
async def transfer_page(request: Request, ctx: Reader) -> HTMLResponse:
    context = _context(ctx, "transfer", import_errors=[])
    return templates.TemplateResponse(request, "library/transfer.html", context)


@router.post("/import", response_class=HTMLResponse)
async def import_file(
    request: Request,
    ctx: Writer,
    session: DbSession,
    origin: RequestOrigin,
    file: Annotated[UploadFile, File()],
) -> Response:
    data = await file.read(MAX_UPLOAD + 1)
    fmt = "csv" if (file.filename or "").lower().endswith(".csv") else "json"
    try:
        if len(data) > MAX_UPLOAD:
            raise Invalid("The file is larger than 5 MB.")
        checked = transfer.check(data, fmt)
        await transfer.import_items(session, ctx, checked, origin, fmt=fmt)
    except AppError as exc:
        errors = list(exc.extra.get("errors", [])) if isinstance(exc.extra, dict) else []
        context = _context(ctx, "transfer", import_errors=errors[:50])
        refuse(request, exc, "library/transfer.html", context)
    return see_other(_base(ctx), notice="library-imported")


# --- workflow buttons (last: `/items/{item_id}/edit` must match first) -------------------


@router.post("/items/{item_id}/{action}", response_class=HTMLResponse)
async def item_action(
    request: Request,
    item_id: uuid.UUID,
    action: str,
    ctx: Reader,
    session: DbSession,
    origin: RequestOrigin,
    comment: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    if action not in {"submit", "approve", "reject", "retire"}:
        raise NotFound("No such page.")
    past = {"submit": "submitted", "approve": "approved", "reject": "rejected"}
    await service.transition(session, ctx, item_id, action, origin, comment=comment)
    back = (
        f"{_base(ctx)}/review"
        if request.query_params.get("from") == "review"
        else (f"{_base(ctx)}/items/{item_id}")
    )
    return see_other(back, notice=f"library-{past.get(action, 'retired')}")
