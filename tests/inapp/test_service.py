"""`notify` and its triggers: an in-app link only, long texts shortened; an AI interview
completed and scored notifies its creator (while a member); an accepted team invitation
notifies the inviter."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from hireflow.audit.service import SYSTEM
from hireflow.config import Settings
from hireflow.db import Database
from hireflow.inapp.service import is_in_app_path, notify
from hireflow.kit.clock import now
from hireflow.kit.tokens import hash_token, new_token
from hireflow.models import Invitation, Membership, Notification
from hireflow.organizations import invitations
from hireflow.organizations import repository as organizations
from tests.factories.interviews import make_session, run_interview
from tests.factories.organizations import make_organization
from tests.factories.users import make_member, make_user

STRONG = "quartz-lagoon-7-ember-thistle"


@pytest.mark.parametrize(
    ("link", "ok"),
    [
        ("/organizations/1/interviews/2", True),
        ("/notifications?unread=true", True),
        ("/", True),
        ("//evil.example/x", False),
        ("/\\evil.example", False),
        ("https://evil.example/", False),
        ("javascript:alert(1)", False),
        ("relative/path", False),
        ("/with space", False),
        ("/line\nbreak", False),
        ("/" + "a" * 600, False),
    ],
)
def test_only_in_app_paths_are_links(link: str, ok: bool) -> None:
    assert is_in_app_path(link) is ok


async def test_notify_refuses_an_outside_link_and_shortens_long_texts(db: Database) -> None:
    async with db.transaction() as session:
        user = await make_user(session)
        with pytest.raises(ValueError, match="inside the app"):
            await notify(
                session,
                user_id=user.id,
                organization_id=None,
                kind="test",
                title="x",
                link="//evil.example",
            )
        made = await notify(
            session,
            user_id=user.id,
            organization_id=None,
            kind="test",
            title="T  " + "t" * 300,
            body="b" * 1200,
        )
        assert len(made.title) == 200
        assert made.title.endswith("…")
        assert made.title.startswith("T t")  # whitespace collapsed
        assert len(made.body) == 1000
        assert made.body.endswith("…")
        assert made.link is None


async def _notifications(db: Database, user_id: object) -> list[Notification]:
    async with db.transaction() as session:
        return list(
            await session.scalars(
                select(Notification)
                .where(Notification.user_id == user_id)
                .order_by(Notification.created_at)
            )
        )


async def test_a_completed_and_scored_interview_notifies_its_creator(db: Database) -> None:
    settings = Settings()
    async with db.transaction() as session:
        organization = await make_organization(session, name="Initech")
        creator, _ = await make_member(session, organization, role="recruiter")
        interview, raw = await make_session(
            session, organization, creator, settings, candidate_name="Ada Lovelace"
        )
        await run_interview(session, raw, settings)

    completed, scored = await _notifications(db, creator.id)
    path = f"/organizations/{organization.id}/interviews/{interview.id}"
    assert completed.kind == "interview.completed"
    assert completed.title == "Ada Lovelace completed the AI interview for Backend Engineer"
    assert completed.link == path
    assert completed.organization_id == organization.id
    assert scored.kind == "interview.scored"
    assert scored.link == path


async def test_a_creator_who_left_the_organization_is_not_notified(db: Database) -> None:
    settings = Settings()
    async with db.transaction() as session:
        organization = await make_organization(session, name="Initech")
        creator, membership = await make_member(session, organization, role="recruiter")
        _, raw = await make_session(session, organization, creator, settings)
        await session.execute(delete(Membership).where(Membership.id == membership.id))
        await run_interview(session, raw, settings)
    assert await _notifications(db, creator.id) == []


async def test_an_accepted_team_invitation_notifies_the_inviter(db: Database) -> None:
    raw = new_token()
    async with db.transaction() as session:
        organization = await make_organization(session, name="Umbrella")
        inviter, _ = await make_member(session, organization, role="recruiter")
        role = await organizations.system_role(session, "interviewer")
        session.add(
            Invitation(
                organization_id=organization.id,
                email="nina@example.test",
                role_id=role.id,
                invited_by_user_id=inviter.id,
                token_hash=hash_token(raw),
                created_at=now(),
                expires_at=now() + timedelta(days=1),
            )
        )
        await session.flush()
        await invitations.accept(
            session, raw, signed_in=None, name="Nina Simone", password=STRONG, origin=SYSTEM
        )

    [joined] = await _notifications(db, inviter.id)
    assert joined.kind == "invitation.accepted"
    assert joined.title == "Nina Simone joined Umbrella"
    assert joined.body == "nina@example.test accepted your invitation."
    assert joined.link == f"/organizations/{organization.id}/team"
