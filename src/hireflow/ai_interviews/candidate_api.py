"""The candidate's JSON routes for an AI interview. The link's token is exchanged once
(`POST /interview/access`) for an access token, sent back as `Authorization: Bearer …` or
carried by the `hf_interview` cookie (HttpOnly, SameSite=Lax). Every response is the `/now`
projection, which holds nothing recruiter-only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from hireflow.ai_interviews import service
from hireflow.ai_interviews.schemas import AccessGranted, AccessIn, AnswerIn, ConsentIn, NowView
from hireflow.api import API_PREFIX
from hireflow.config import Settings
from hireflow.db import DbSession
from hireflow.deps import AppSettings
from hireflow.errors import Forbidden
from hireflow.models import InterviewSession

router = APIRouter(prefix=API_PREFIX + "/interview", tags=["candidate interview"])

COOKIE = "hf_interview"
SAFE_SITES = ("same-origin", "none")


def set_access_cookie(response: Response, access_token: str, settings: Settings) -> None:
    response.set_cookie(
        COOKIE,
        access_token,
        max_age=service.ACCESS_MAX_AGE_SECONDS,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )


def access_token_of(request: Request) -> tuple[str | None, bool]:
    """The access token, and whether it came from the cookie (then the request must be
    same-site: a cross-site form post must not act for the candidate)."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip(), False
    return request.cookies.get(COOKIE), True


def check_same_site(request: Request, settings: Settings) -> None:
    """A cookie-carried POST must come from our own pages: the browser's `Sec-Fetch-Site`, or
    else its `Origin`, says where it came from (requests without either are not browsers)."""
    site = request.headers.get("sec-fetch-site")
    origin = request.headers.get("origin")
    ours = {str(request.base_url).rstrip("/"), settings.base_url.rstrip("/")}
    if (site is not None and site not in SAFE_SITES) or (
        site is None and origin is not None and origin.rstrip("/") not in ours
    ):
        raise Forbidden("This request came from another site.")


async def request_interview(
    request: Request, session: DbSession, settings: AppSettings
) -> InterviewSession:
    """The interview the request's access token (header or cookie) opens; a cookie-carried
    POST must be same-site. The candidate's JSON routes and pages both come through here."""
    token, from_cookie = access_token_of(request)
    if from_cookie and request.method not in ("GET", "HEAD"):
        check_same_site(request, settings)
    return await service.candidate_session(session, token, settings)


Interview = Annotated[InterviewSession, Depends(request_interview)]


@router.post(
    "/access",
    response_model=AccessGranted,
    summary="Exchange the link's token for access to the interview",
    responses={
        404: {"description": "Not a valid link"},
        410: {"description": "Expired, replaced or cancelled"},
    },
)
async def access(
    body: AccessIn, response: Response, session: DbSession, settings: AppSettings
) -> AccessGranted:
    access_token, interview = await service.open_link(session, body.token, settings)
    set_access_cookie(response, access_token, settings)
    return AccessGranted(access_token=access_token, now=await service.now_view(session, interview))


@router.get("/now", response_model=NowView, summary="Where the interview is now")
async def now(interview: Interview, session: DbSession) -> NowView:
    return await service.now_view(session, interview)


@router.post("/consent", response_model=NowView, summary="AI evaluation, or a person instead")
async def consent(body: ConsentIn, interview: Interview, session: DbSession) -> NowView:
    await service.give_consent(session, interview, ai_evaluation=body.ai_evaluation)
    return await service.now_view(session, interview)


@router.post(
    "/start",
    response_model=NowView,
    summary="Start: the questions are generated now and the clock starts",
    responses={409: {"description": "Ended"}},
)
async def start(interview: Interview, session: DbSession, settings: AppSettings) -> NowView:
    await service.start(session, interview, settings)
    return await service.now_view(session, interview)


@router.post(
    "/answers",
    response_model=NowView,
    summary="Answer the current question",
    responses={409: {"description": "Not the current question (the body holds `now`), or ended"}},
)
async def answer(
    body: AnswerIn, interview: Interview, session: DbSession, settings: AppSettings
) -> NowView:
    await service.answer(session, interview, body.question_id, body.answer, settings)
    return await service.now_view(session, interview)


@router.post("/finish", response_model=NowView, summary="End the interview now")
async def finish(interview: Interview, session: DbSession) -> NowView:
    await service.finish(session, interview)
    return await service.now_view(session, interview)
