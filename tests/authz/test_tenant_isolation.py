"""Another organization's ids answer 404, on every route that takes an id — including routes
added later: the test walks the app's registered routes, so a new route with an id parameter
fails here until it is given an example id below."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.db import Database
from hireflow.documents.inspect import inspect_document
from hireflow.documents.service import store_document
from hireflow.models import (
    ApplicationFeedback,
    ApplicationNote,
    ImportBatch,
    Invitation,
    JobTemplate,
    Organization,
    OutboxMessage,
    Role,
    SsoDomain,
    StageTemplate,
    User,
)
from hireflow.organizations import repository
from tests.factories.api_tokens import make_organization_key, make_personal_token
from tests.factories.applications import make_application
from tests.factories.candidates import make_candidate
from tests.factories.interviews import make_session
from tests.factories.jobs import job_stage, make_job
from tests.factories.library import make_item
from tests.factories.organizations import make_organization
from tests.factories.users import make_member, sign_in

# For each id path parameter: a function making that kind of object in `organization`
# (owned by `owner`), returning its id.
IdMaker = Callable[[AsyncSession, Organization, User], Awaitable[object]]


async def _organization_id(
    session: AsyncSession, organization: Organization, owner: User
) -> object:
    return organization.id


async def _session_id(session: AsyncSession, organization: Organization, owner: User) -> object:
    from datetime import timedelta

    from hireflow.kit.clock import now
    from hireflow.models import UserSession

    row = UserSession(
        user_id=owner.id,
        token_hash=uuid.uuid4().hex * 2,
        csrf_token="x",
        created_at=now(),
        last_seen_at=now(),
        expires_at=now() + timedelta(days=1),
    )
    session.add(row)
    await session.flush()
    return row.id


async def _membership_id(session: AsyncSession, organization: Organization, owner: User) -> object:
    found = await repository.membership_of(session, owner.id, organization.id)
    assert found is not None
    return found[0].id


async def _role_id(session: AsyncSession, organization: Organization, owner: User) -> object:
    role = Role(
        organization_id=organization.id,
        key=f"r{uuid.uuid4().hex[:8]}",
        name="Custom",
        permissions=["jobs:read"],
    )
    session.add(role)
    await session.flush()
    return role.id


async def _invitation_id(session: AsyncSession, organization: Organization, owner: User) -> object:
    from hireflow.kit.clock import now

    role = await repository.system_role(session, "viewer")
    invitation = Invitation(
        organization_id=organization.id,
        email="someone@example.test",
        role_id=role.id,
        invited_by_user_id=owner.id,
        token_hash=uuid.uuid4().hex * 2,
        created_at=now(),
        expires_at=now() + timedelta(days=1),
    )
    session.add(invitation)
    await session.flush()
    return invitation.id


async def _message_id(session: AsyncSession, organization: Organization, owner: User) -> object:
    message = OutboxMessage(
        organization_id=organization.id,
        to_address=owner.email,
        subject="s",
        text_body="t",
        message_id=f"<{uuid.uuid4()}@test>",
        kind="test",
    )
    session.add(message)
    await session.flush()
    return message.id


async def _sso_domain_id(session: AsyncSession, organization: Organization, owner: User) -> object:
    rule = SsoDomain(
        organization_id=organization.id, domain=f"{uuid.uuid4().hex[:8]}.test", provider_key="fake"
    )
    session.add(rule)
    await session.flush()
    return rule.id


async def _token_id(session: AsyncSession, organization: Organization, owner: User) -> object:
    token, _ = await make_personal_token(session, owner.id)
    return token.id


async def _api_key_id(session: AsyncSession, organization: Organization, owner: User) -> object:
    key, _ = await make_organization_key(
        session, organization.id, owner.id, scopes=["organization:read"]
    )
    return key.id


async def _job_id(session: AsyncSession, organization: Organization, owner: User) -> object:
    return (await make_job(session, organization)).id


async def _job_template_id(
    session: AsyncSession, organization: Organization, owner: User
) -> object:
    template = JobTemplate(
        organization_id=organization.id, name=f"t{uuid.uuid4().hex[:8]}", fields={"title": "T"}
    )
    session.add(template)
    await session.flush()
    return template.id


async def _version_number(session: AsyncSession, organization: Organization, owner: User) -> object:
    return 1  # with another organization's job id


async def _user_id(session: AsyncSession, organization: Organization, owner: User) -> object:
    return owner.id


async def _candidate_id(session: AsyncSession, organization: Organization, owner: User) -> object:
    return (await make_candidate(session, organization)).id


async def _application_id(session: AsyncSession, organization: Organization, owner: User) -> object:
    job = await make_job(session, organization)
    candidate = await make_candidate(session, organization)
    return (await make_application(session, job, candidate)).id


async def _stage_id(session: AsyncSession, organization: Organization, owner: User) -> object:
    return (await job_stage(session, await make_job(session, organization), "screen")).id


async def _document_id(session: AsyncSession, organization: Organization, owner: User) -> object:
    candidate = await make_candidate(session, organization)
    inspected = inspect_document("cv.txt", b"Ada Lovelace, engineer", max_bytes=1000)
    document = await store_document(
        session,
        inspected,
        kind="resume",
        organization_id=organization.id,
        candidate_id=candidate.id,
    )
    return document.id


async def _feedback_id(session: AsyncSession, organization: Organization, owner: User) -> object:
    application_id = await _application_id(session, organization, owner)
    feedback = ApplicationFeedback(
        organization_id=organization.id,
        application_id=application_id,
        author_user_id=owner.id,
        overall=4,
    )
    session.add(feedback)
    await session.flush()
    return feedback.id


async def _note_id(session: AsyncSession, organization: Organization, owner: User) -> object:
    application_id = await _application_id(session, organization, owner)
    note = ApplicationNote(
        organization_id=organization.id,
        application_id=application_id,
        author_user_id=owner.id,
        body="private",
    )
    session.add(note)
    await session.flush()
    return note.id


async def _import_id(session: AsyncSession, organization: Organization, owner: User) -> object:
    batch = ImportBatch(
        organization_id=organization.id,
        kind="candidates",
        filename="x.csv",
        content=b"full_name\nA\n",
        total_rows=1,
        error_rows=0,
    )
    session.add(batch)
    await session.flush()
    return batch.id


async def _stage_template_id(
    session: AsyncSession, organization: Organization, owner: User
) -> object:
    template = StageTemplate(
        organization_id=organization.id,
        name=f"s{uuid.uuid4().hex[:8]}",
        stages=[{"key": "applied", "name": "Applied", "kind": "active"}],
    )
    session.add(template)
    await session.flush()
    return template.id


async def _interview_id(session: AsyncSession, organization: Organization, owner: User) -> object:
    interview, _ = await make_session(session, organization, owner)
    return interview.id


async def _interview_invitation_id(
    session: AsyncSession, organization: Organization, owner: User
) -> object:
    from hireflow.kit.clock import now
    from hireflow.models import InterviewInvitation

    invitation = InterviewInvitation(
        organization_id=organization.id,
        batch_id=uuid.uuid4(),
        created_by_user_id=owner.id,
        to_address="theirs@example.com",
        state="scheduled",
        send_at=now(),
    )
    session.add(invitation)
    await session.flush()
    return invitation.id


async def _rule_id(session: AsyncSession, organization: Organization, owner: User) -> object:
    from hireflow.models import InvitationRule
    from tests.factories.kits import make_kit

    job = await make_job(session, organization)
    kit = await make_kit(session, job, [])
    stage = await job_stage(session, job, "ai_interview")
    rule = InvitationRule(
        organization_id=organization.id, job_id=job.id, stage_id=stage.id, kit_id=kit.id
    )
    session.add(rule)
    await session.flush()
    return rule.id


async def _item_id(session: AsyncSession, organization: Organization, owner: User) -> object:
    return (await make_item(session, organization, kind="challenge", status="approved")).id


async def _notification_id(
    session: AsyncSession, organization: Organization, owner: User
) -> object:
    from hireflow.inapp.service import notify

    made = await notify(
        session, user_id=owner.id, organization_id=organization.id, kind="test", title="Theirs"
    )
    return made.id


ID_MAKERS: dict[str, IdMaker] = {
    "organization_id": _organization_id,
    "session_id": _session_id,
    "membership_id": _membership_id,
    "role_id": _role_id,
    "invitation_id": _invitation_id,
    "message_id": _message_id,
    "sso_domain_id": _sso_domain_id,
    "token_id": _token_id,
    "api_key_id": _api_key_id,
    # ATS (jobs, candidates, applications)
    "job_id": _job_id,
    "template_id": _job_template_id,
    "number": _version_number,
    "user_id": _user_id,
    "candidate_id": _candidate_id,
    "duplicate_id": _candidate_id,
    "application_id": _application_id,
    "stage_id": _stage_id,
    "document_id": _document_id,
    "feedback_id": _feedback_id,
    "note_id": _note_id,
    "import_id": _import_id,
    "stage_template_id": _stage_template_id,
    # AI interviews
    "interview_id": _interview_id,
    "interview_invitation_id": _interview_invitation_id,
    "rule_id": _rule_id,
    # Library
    "item_id": _item_id,
    # In-app notifications (the user's own; another user's id is a 404)
    "notification_id": _notification_id,
}
# Installation-wide routes for platform admins only: members of organizations get 403 there,
# whatever the id.
PLATFORM_PREFIX = "/api/v1/platform/"
# Path parameters that are not ids of tenant data (`kind`: an email kind, the same for all).
NOT_IDS = {"slug", "path", "kind"}


def _id_routes(app: FastAPI) -> list[tuple[str, str, list[str]]]:
    """Every (method, path, id parameters) of the API, from its OpenAPI description."""
    routes: list[tuple[str, str, list[str]]] = []
    for path, operations in app.openapi()["paths"].items():
        params = [p for p in re.findall(r"{(\w+)}", path) if p not in NOT_IDS]
        if params:
            routes.extend((method.upper(), path, params) for method in sorted(operations))
    return routes


async def test_every_id_route_answers_404_for_another_organizations_ids(
    app: FastAPI, client: httpx.AsyncClient, db: Database
) -> None:
    routes = _id_routes(app)
    assert routes, "no routes with ids found: the walk is broken"
    unknown = {p for _, _, params in routes for p in params} - set(ID_MAKERS)
    assert not unknown, f"give these id parameters an example in ID_MAKERS: {sorted(unknown)}"

    async with db.transaction() as session:
        mine = await make_organization(session, name="Mine")
        me, _ = await make_member(session, mine, role="owner")
        theirs = await make_organization(session, name="Theirs")
        them, _ = await make_member(session, theirs, role="owner")
        their_ids = {name: await make(session, theirs, them) for name, make in ID_MAKERS.items()}
    await sign_in(client, me.email)

    my_ids = {"organization_id": mine.id}
    for method, path, params in routes:
        variants = [their_ids]
        # My organization with their objects' ids (bodiless methods: a body would be
        # validated before the object is looked up).
        if method in {"GET", "DELETE"} and set(params) - {"organization_id"}:
            variants.append({**their_ids, **my_ids})
        for ids in variants:
            url = path
            for param in params:
                url = url.replace("{" + param + "}", str(ids[param]))
            response = await client.request(method, url, json={} if method != "GET" else None)
            expected = 403 if path.startswith(PLATFORM_PREFIX) else 404
            assert response.status_code == expected, (
                method,
                url,
                response.status_code,
                response.text,
            )
            assert "Theirs" not in response.text
