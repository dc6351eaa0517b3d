"""The candidate's AI interview pages (no sign-in). The invitation's link (`/interview/join?token=`)
is exchanged for the access cookie `hf_interview` and the browser is sent on to `/interview`, so
the token leaves the address bar; that page shows whatever the interview is at: the landing page
with the evaluation choice, the current question, or the end.

Everything shown comes from `service.now_view`, which holds nothing recruiter-only (rubrics,
scores, competencies, notes). Forms post without JavaScript; the cookie is SameSite=Lax and every
post is checked to come from this site (`candidate_api.request_interview`)."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.ai_interviews import service
from hireflow.ai_interviews.candidate_api import request_interview, set_access_cookie
from hireflow.ai_interviews.schemas import AnswerIn, NowView
from hireflow.ai_interviews.service import (
    AccessRequired,
    LinkGone,
    LinkInvalid,
    QuestionNotCurrent,
    SessionClosed,
)
from hireflow.config import Settings
from hireflow.db import DbSession
from hireflow.deps import AppSettings
from hireflow.errors import AppError, Invalid
from hireflow.models import InterviewSession
from hireflow.web.templating import (
    Notice,
    PageResponse,
    refuse,
    register_notices,
    see_other,
    templates,
    validated,
)

router = APIRouter(include_in_schema=False)

HOME = "/interview"
# The candidate's pages are personal: never cached. The join page also keeps the token out of
# any Referer header.
NO_STORE = {"Cache-Control": "no-store"}
JOIN_HEADERS = {**NO_STORE, "Referrer-Policy": "no-referrer"}

register_notices(
    {
        "interview-answered-elsewhere": Notice(
            "info", "This question was already answered in another tab — here is the next one"
        ),
        "interview-closed": Notice(
            "info", "The interview has ended", "Answers can no longer be sent."
        ),
    }
)

ADVICE = {
    LinkInvalid.code: (
        "Open the link from your invitation email again, making sure it was copied whole. "
        "If it still does not work, ask the person who invited you for a new link."
    ),
    LinkGone.code: (
        "If you still want to take part, ask the person who invited you for a new link."
    ),
    AccessRequired.code: (
        "Open the interview link from your invitation email: it brings you back here, to "
        "where you left off."
    ),
}
STATUS_PROBLEMS = {
    "EXPIRED": ("This interview has expired", "The link ran out before the interview started."),
    "CANCELLED": ("This interview was cancelled", "The organization cancelled this interview."),
}
ANSWER_MESSAGES = {
    "question_id": "Reload the page and answer the question shown.",
    "answer": "This answer is too long (50,000 characters at most).",
}


def _problem(request: Request, exc: AppError) -> PageResponse:
    """The friendly page for a link or an access that does not work, with the error's status."""
    response = templates.TemplateResponse(
        request,
        "interview/problem.html",
        {"title": exc.title, "detail": exc.detail, "advice": ADVICE.get(exc.code, "")},
        status_code=exc.status,
        headers=NO_STORE,
    )
    return PageResponse(response, keep_changes=exc.keep_changes)


async def _candidate_interview(
    request: Request, session: AsyncSession, settings: Settings
) -> InterviewSession:
    try:
        return await request_interview(request, session, settings)
    except (AccessRequired, LinkGone) as exc:
        raise _problem(request, exc) from exc


def draft_key(interview: InterviewSession, question_id: str) -> str:
    """Where the browser keeps an unsent answer: per session and question, without putting the
    session's id in the page."""
    digest = hashlib.sha256(f"hireflow interview draft {interview.id}".encode()).hexdigest()
    return f"hf-interview:{digest[:20]}:{question_id}"


def _page(interview: InterviewSession, now: NowView, **extra: Any) -> tuple[str, dict[str, Any]]:
    """The template for where the interview is, and its context."""
    context: dict[str, Any] = {"now": now, **extra}
    if now.status == "NOT_STARTED":
        return "interview/landing.html", context
    if now.status == "IN_PROGRESS":
        question = now.current_question
        context["draft_key"] = draft_key(interview, question.id) if question else ""
        return "interview/question.html", context
    if now.status == "COMPLETED":
        return "interview/done.html", context
    title, detail = STATUS_PROBLEMS[now.status]
    return "interview/problem.html", context | {
        "title": title,
        "detail": detail,
        "advice": ADVICE[LinkGone.code],
    }


@router.get("/interview/join", response_class=HTMLResponse)
async def join(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    token: Annotated[str, Query(max_length=2_000)] = "",
) -> Response:
    """The invitation's link: exchange the token for the access cookie, then go on without it."""
    try:
        access_token, _ = await service.open_link(session, token.strip(), settings)
    except (LinkInvalid, LinkGone) as exc:
        problem = _problem(request, exc)
        problem.response.headers.update(JOIN_HEADERS)
        raise problem from exc
    response = RedirectResponse(HOME, status_code=303, headers=JOIN_HEADERS)
    set_access_cookie(response, access_token, settings)
    return response


@router.get("/interview", response_class=HTMLResponse)
async def interview_page(request: Request, session: DbSession, settings: AppSettings) -> Response:
    interview = await _candidate_interview(request, session, settings)
    now = await service.now_view(session, interview)
    template, context = _page(interview, now)
    status = 410 if template == "interview/problem.html" else 200
    return templates.TemplateResponse(
        request, template, context, status_code=status, headers=NO_STORE
    )


@router.post("/interview/start", response_class=HTMLResponse)
async def start(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    evaluation: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """The evaluation choice (AI assistance, or a person instead) and the start, in one form."""
    interview = await _candidate_interview(request, session, settings)
    try:
        if evaluation not in ("ai", "human"):
            raise Invalid(
                "Choose how your answers are evaluated: with AI assistance, or by a person.",
                extra={"field": "evaluation"},
            )
        await service.give_consent(session, interview, ai_evaluation=evaluation == "ai")
        await service.start(session, interview, settings)
    except SessionClosed:
        return see_other(HOME)  # started in another tab, or ended: show where it is
    except AppError as exc:
        now = await service.now_view(session, interview)
        template, context = _page(interview, now)
        refuse(request, exc, template, context, default_field="evaluation", headers=NO_STORE)
    return see_other(HOME)


@router.post("/interview/answer", response_class=HTMLResponse)
async def answer(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    question_id: Annotated[str, Form(max_length=100)] = "",
    answer: Annotated[str, Form(max_length=200_000)] = "",
) -> Response:
    interview = await _candidate_interview(request, session, settings)
    try:
        body = validated(AnswerIn, {"question_id": question_id, "answer": answer}, ANSWER_MESSAGES)
        await service.answer(session, interview, body.question_id, body.answer, settings)
    except QuestionNotCurrent:
        return see_other(HOME, notice="interview-answered-elsewhere")
    except SessionClosed:
        return see_other(HOME, notice="interview-closed")
    except AppError as exc:
        now = await service.now_view(session, interview)
        template, context = _page(interview, now, form={"answer": answer})
        refuse(request, exc, template, context, default_field="answer", headers=NO_STORE)
    return see_other(HOME)


@router.post("/interview/finish", response_class=HTMLResponse)
async def finish(request: Request, session: DbSession, settings: AppSettings) -> Response:
    interview = await _candidate_interview(request, session, settings)
    try:
        await service.finish(session, interview)
    except SessionClosed:
        return see_other(HOME, notice="interview-closed")
    return see_other(HOME)
