"""Builders for AI interview sessions: a configured session with its raw link token, a candidate
run through it (open the link, consent, start, answer every question, score), and the clock
moved for a session (its link run out, its time limit passed) without waiting."""

from __future__ import annotations

import contextlib
import itertools
import uuid
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from fastapi import FastAPI
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.ai_interviews import events, service
from hireflow.ai_interviews.schemas import SessionCreate
from hireflow.audit.service import SYSTEM
from hireflow.authz.context import MemberCtx, permissions_for
from hireflow.config import Settings
from hireflow.db import Database
from hireflow.kit.clock import now
from hireflow.models import (
    InterviewEvent,
    InterviewInvite,
    InterviewSession,
    Organization,
    User,
)
from hireflow.organizations import repository as organizations
from tests.factories.organizations import make_organization
from tests.factories.users import make_member, sign_in

CANDIDATE_API = "/api/v1/interview"

# Answers that show what the offline rubrics look for: an example, the candidate's own
# actions, a structured approach and a measured outcome.
STRONG_ANSWER = (
    "For example, last year our checkout service was too slow. I measured the p99 latency "
    "first, then I profiled the slow queries, added an index and a cache, and I wrote tests "
    "for the change. As a result the latency dropped from 900 ms to 120 ms and conversions "
    "rose by 4%. I learned to measure before I optimise and I shared the runbook with the team."
)
THIN_ANSWER = "I would do my best."


@dataclass
class Team:
    """An organization whose member (`owner`, of the role asked for) is signed in."""

    organization: Organization
    owner: User

    @property
    def api(self) -> str:
        return f"/api/v1/organizations/{self.organization.id}/interview-sessions"


async def signed_in_team(
    client: httpx.AsyncClient, db: Database, *, role: str = "owner", name: str = "Initech"
) -> Team:
    async with db.transaction() as session:
        organization = await make_organization(session, name=name)
        owner, _ = await make_member(session, organization, role=role)
    await sign_in(client, owner.email)
    return Team(organization, owner)


async def create_via_api(
    client: httpx.AsyncClient, team: Team, key: str | None = None, **fields: Any
) -> dict[str, Any]:
    """`POST …/interview-sessions` (JSON, a new Idempotency-Key unless given); the 201 body."""
    body = {"target_role": "Backend Engineer", "question_count": 3, **fields}
    response = await client.post(
        team.api, json=body, headers={"Idempotency-Key": key or str(uuid.uuid4())}
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def token_of(candidate_url: str) -> str:
    """The raw link token in a candidate URL (`…/interview/join?token=…`)."""
    [token] = parse_qs(urlsplit(candidate_url).query)["token"]
    return token


@contextlib.asynccontextmanager
async def candidate_client(
    app: FastAPI, collected: list[httpx.Response] | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of its own for the candidate (no recruiter cookies); every response is
    appended to `collected` when given, read in full."""

    async def collect(response: httpx.Response) -> None:
        await response.aread()
        if collected is not None:
            collected.append(response)

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://testserver",
        event_hooks={"response": [collect]},
    ) as client:
        yield client


async def ctx_for(session: AsyncSession, organization: Organization, user: User) -> MemberCtx:
    """`user` acting in `organization` with their role's permissions, as a request would."""
    found = await organizations.membership_of(session, user.id, organization.id)
    assert found is not None, "the user is not a member of the organization"
    membership, org, role = found
    return MemberCtx(user, org, membership, role, permissions_for(role))


async def make_session(
    session: AsyncSession,
    organization: Organization,
    creator: User,
    settings: Settings | None = None,
    **overrides: Any,
) -> tuple[InterviewSession, str]:
    """A configured session (`NOT_STARTED`) created through `service.configure_session`, and
    the raw token of its link."""
    fields: dict[str, Any] = {"target_role": "Backend Engineer", "question_count": 3}
    fields.update(overrides)
    ctx = await ctx_for(session, organization, creator)
    interview, raw_token, _ = await service.configure_session(
        session,
        ctx,
        SessionCreate.model_validate(fields),
        None,
        origin=SYSTEM,
        settings=settings or Settings(),
    )
    return interview, raw_token


async def run_interview(
    session: AsyncSession,
    raw_token: str,
    settings: Settings,
    answers: Iterable[str] = (STRONG_ANSWER,),
    *,
    ai_evaluation: bool = True,
    score: bool = True,
    max_answers: int = 60,
) -> InterviewSession:
    """The candidate's way through: open the link, consent, start, answer every question in
    turn (with `answers`, the last one repeated when they run out), then score the session
    as the `interviews.score_session` job does."""
    access_token, interview = await service.open_link(session, raw_token, settings)
    interview = await service.candidate_session(session, access_token, settings)
    await service.give_consent(session, interview, ai_evaluation=ai_evaluation)
    await service.start(session, interview, settings)
    given = list(answers) or [STRONG_ANSWER]
    texts = itertools.chain(given, itertools.repeat(given[-1]))
    for _ in range(max_answers):
        current = interview.state["current"]
        if interview.status != "IN_PROGRESS" or current is None:
            break
        question = interview.state["questions"][current]
        await service.answer(session, interview, question["id"], next(texts), settings)
    else:
        raise AssertionError(f"the interview did not end after {max_answers} answers")
    if score:
        await service.score_session(session, interview.id, settings)
        await session.refresh(interview)
    return interview


async def stored_events(session: AsyncSession, interview_id: uuid.UUID) -> list[InterviewEvent]:
    return list(
        await session.scalars(
            select(InterviewEvent)
            .where(InterviewEvent.session_id == interview_id)
            .order_by(InterviewEvent.seq)
        )
    )


def as_events(rows: Iterable[InterviewEvent]) -> list[events.Event]:
    return [events.Event(row.type, row.payload, row.created_at) for row in rows]


async def expire_link(
    session: AsyncSession, interview_id: uuid.UUID, *, seconds_ago: int = 60
) -> None:
    """Pretend the session's link ran out `seconds_ago`."""
    at = now() - timedelta(seconds=seconds_ago)
    await session.execute(
        update(InterviewSession).where(InterviewSession.id == interview_id).values(expires_at=at)
    )
    await session.execute(
        update(InterviewInvite)
        .where(InterviewInvite.session_id == interview_id, InterviewInvite.revoked_at.is_(None))
        .values(expires_at=at)
    )
    await session.flush()


async def pass_deadline(
    session: AsyncSession, interview_id: uuid.UUID, *, seconds_ago: int = 120
) -> None:
    """Pretend the interview's time limit ran out `seconds_ago` (beyond the grace period):
    the deadline moves in the stored state and in the `SESSION_STARTED` event alike, so the
    event history still folds to the stored projection."""
    deadline: datetime = now() - timedelta(seconds=seconds_ago)
    value = {"deadline": deadline.isoformat()}
    await session.execute(
        text(
            "UPDATE interview_session SET state = jsonb_set(state, '{deadline}', "
            "to_jsonb(CAST(:deadline AS text))) WHERE id = :id"
        ),
        {**value, "id": interview_id},
    )
    await session.execute(
        text(
            "UPDATE interview_event SET payload = jsonb_set(payload, '{deadline}', "
            "to_jsonb(CAST(:deadline AS text))) WHERE session_id = :id AND type = :type"
        ),
        {**value, "id": interview_id, "type": events.SESSION_STARTED},
    )
    await _reload(session, interview_id)


async def _reload(session: AsyncSession, interview_id: uuid.UUID) -> None:
    """Objects of the session already loaded in `session` read the rows changed behind them."""
    for obj in list(session.identity_map.values()):
        if (isinstance(obj, InterviewSession) and obj.id == interview_id) or (
            isinstance(obj, InterviewEvent) and obj.session_id == interview_id
        ):
            await session.refresh(obj)
