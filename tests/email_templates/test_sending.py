"""`send_templated`: the organization's template and branding in the outbox, tracking on or
opted out, the pixel and click routes counting (and refusing altered tokens), and the
unsubscribe flow that stops non-transactional mail only."""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.config import Settings
from hireflow.db import Database
from hireflow.models import (
    AuditEvent,
    EmailSuppression,
    EmailTemplate,
    Organization,
    OrganizationSetting,
    OutboxMessage,
)
from hireflow.notifications.service import is_suppressed, send_templated
from tests.factories.organizations import make_organization
from tests.factories.users import make_member, sign_in

TARGET = "https://careers.acme.example/interview/abc?x=1&y=2"


def _variables(**overrides: str | int) -> dict[str, str | int]:
    return {
        "candidate_name": "Grace <Hopper>",
        "organization_name": "Acme",
        "role": "Backend engineer",
        "link": TARGET,
        "expires_at": "2026-12-01 17:00 UTC",
        "duration_minutes": 30,
        "message": "",
        "sender_name": "Ada",
        **overrides,
    }


async def _organization(session: AsyncSession, *, tracking: bool = True) -> Organization:
    organization = await make_organization(session, name="Acme")
    for key, value in (
        ("brand_color", "#aa0011"),
        ("logo_url", "https://acme.example/logo.png"),
        ("email_tracking_enabled", tracking),
    ):
        session.add(OrganizationSetting(organization_id=organization.id, key=key, value=value))
    await session.flush()
    return organization


async def _invite(
    session: AsyncSession, organization: Organization, settings: Settings, to: str
) -> OutboxMessage | None:
    return await send_templated(
        session,
        kind="interview_invitation",
        to=to,
        variables=_variables(),
        organization_id=organization.id,
        settings=settings,
    )


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _links(html: str, route: str) -> list[str]:
    return re.findall(r'"(https?://[^"]*' + re.escape(route) + r'[^"]*)"', html)


async def _counts(db: Database, message_id: uuid.UUID) -> tuple[int, int, bool, bool]:
    async with db.transaction() as session:
        message = await session.get(OutboxMessage, message_id)
        assert message is not None
        await session.refresh(message)
        return (
            message.open_count,
            message.click_count,
            message.opened_at is not None,
            message.clicked_at is not None,
        )


async def test_a_customized_template_arrives_branded_and_tracked(
    db: Database, test_settings: Settings
) -> None:
    async with db.transaction() as session:
        organization = await _organization(session)
        session.add(
            EmailTemplate(
                organization_id=organization.id,
                kind="interview_invitation",
                subject="{{ organization_name }} would like to meet {{ candidate_name }}",
                text_body="Start: {{ link }}",
                html_body='<p>Hi {{ candidate_name }}</p><p><a href="{{ link }}">Start</a></p>',
            )
        )
        await session.flush()
        message = await _invite(session, organization, test_settings, "grace@example.com")
    assert message is not None
    assert message.subject == "Acme would like to meet Grace <Hopper>"
    assert message.kind == "interview_invitation"
    assert message.transactional is False
    assert message.organization_id == organization.id
    assert message.text_body.startswith(f"Start: {TARGET}\n")  # text links stay as they are
    assert "/unsubscribe/" in message.text_body
    html = message.html_body or ""
    assert "<p>Hi Grace &lt;Hopper&gt;</p>" in html
    assert "border-top:6px solid #aa0011" in html
    assert 'src="https://acme.example/logo.png"' in html
    assert TARGET.replace("&", "&amp;") not in html  # rewritten to its click redirect
    assert len(_links(html, "/t/c/")) == 1
    assert len(_links(html, "/t/o/")) == 1
    assert len(_links(html, "/unsubscribe/")) == 1  # the unsubscribe link is not redirected


async def test_an_organization_that_opted_out_gets_no_tracking(
    db: Database, test_settings: Settings
) -> None:
    async with db.transaction() as session:
        organization = await _organization(session, tracking=False)
        message = await _invite(session, organization, test_settings, "grace@example.com")
    assert message is not None
    html = message.html_body or ""
    assert _links(html, "/t/c/") == []
    assert _links(html, "/t/o/") == []
    assert f'href="{TARGET.replace("&", "&amp;")}"' in html


async def test_the_pixel_and_the_click_count_and_altered_tokens_do_not(
    client: httpx.AsyncClient, db: Database, test_settings: Settings
) -> None:
    async with db.transaction() as session:
        organization = await _organization(session)
        message = await _invite(session, organization, test_settings, "grace@example.com")
    assert message is not None
    [pixel] = _links(message.html_body or "", "/t/o/")
    [click] = _links(message.html_body or "", "/t/c/")

    tampered = _path(pixel).replace(".gif", "x.gif")
    for path in (tampered, "/t/o/garbage.gif"):
        answer = await client.get(path)
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "image/gif"
    assert await _counts(db, message.id) == (0, 0, False, False)

    answer = await client.get(_path(pixel))
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/gif"
    assert answer.headers["cache-control"] == "no-store"
    assert answer.content.startswith(b"GIF89a")
    await client.get(_path(pixel))
    assert await _counts(db, message.id) == (2, 0, True, False)

    token = _path(click).removeprefix("/t/c/")
    payload, _, mac = token.rpartition(".")
    for bad in (f"/t/c/{payload}.{'0' * len(mac)}", f"/t/c/{payload[:-2]}.{mac}", "/t/c/x"):
        refused = await client.get(bad)
        assert refused.status_code == 404
        assert "location" not in refused.headers
    assert await _counts(db, message.id) == (2, 0, True, False)

    followed = await client.get(_path(click))
    assert followed.status_code == 303
    assert followed.headers["location"] == TARGET
    assert await _counts(db, message.id) == (2, 1, True, True)


async def test_a_click_counts_as_an_open(
    client: httpx.AsyncClient, db: Database, test_settings: Settings
) -> None:
    async with db.transaction() as session:
        organization = await _organization(session)
        message = await _invite(session, organization, test_settings, "grace@example.com")
    assert message is not None
    [click] = _links(message.html_body or "", "/t/c/")
    assert (await client.get(_path(click))).status_code == 303
    assert await _counts(db, message.id) == (1, 1, True, True)


async def test_unsubscribing_stops_invitations_but_not_transactional_mail(
    client: httpx.AsyncClient, db: Database, test_settings: Settings
) -> None:
    async with db.transaction() as session:
        organization = await _organization(session)
        message = await _invite(session, organization, test_settings, "Grace@Example.com")
    assert message is not None
    [link] = re.findall(r"https?://\S*/unsubscribe/\S+", message.text_body)

    page = await client.get(_path(link))
    assert page.status_code == 200
    assert "Acme" in page.text
    assert "grace@example.com" in page.text
    assert (await client.get(_path(link) + "x")).status_code == 404

    done = await client.post(_path(link))
    assert done.status_code == 200
    assert "You are unsubscribed" in done.text
    # RFC 8058 one-click from a mail client: no CSRF token, no session; idempotent.
    again = await client.post(_path(link), data={"List-Unsubscribe": "One-Click"})
    assert again.status_code == 200
    async with db.transaction() as session:
        rows = list(await session.scalars(select(EmailSuppression)))
        assert [(r.address, r.source) for r in rows] == [("grace@example.com", "link")]
        events = list(
            await session.scalars(
                select(AuditEvent).where(AuditEvent.action == "email.unsubscribed")
            )
        )
        assert [(e.organization_id, e.actor_user_id) for e in events] == [(organization.id, None)]
        assert await is_suppressed(session, organization.id, "GRACE@example.com")

        assert await _invite(session, organization, test_settings, "grace@example.com") is None
        receipt = await send_templated(
            session,
            kind="interview_completed",
            to="grace@example.com",
            variables={"candidate_name": "Grace", "role": "Backend engineer"},
            organization_id=organization.id,
            settings=test_settings,
        )
        assert receipt is not None
        assert receipt.transactional is True
        assert "/unsubscribe/" not in receipt.text_body
        sent = await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(func.lower(OutboxMessage.to_address) == "grace@example.com")
        )
        assert sent == 2  # the first invitation and the receipt


async def test_one_click_alone_unsubscribes(
    client: httpx.AsyncClient, db: Database, test_settings: Settings
) -> None:
    async with db.transaction() as session:
        organization = await _organization(session)
        message = await _invite(session, organization, test_settings, "ada@example.com")
    assert message is not None
    [link] = re.findall(r"https?://\S*/unsubscribe/\S+", message.text_body)
    answer = await client.post(_path(link), data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    async with db.transaction() as session:
        [row] = list(await session.scalars(select(EmailSuppression)))
        assert (row.organization_id, row.address, row.source) == (
            organization.id,
            "ada@example.com",
            "one-click",
        )


async def test_missing_variables_and_unknown_kinds_are_programming_errors(
    db: Database, test_settings: Settings
) -> None:
    async with db.transaction() as session:
        organization = await _organization(session)
        with pytest.raises(ValueError, match="role"):
            await send_templated(
                session,
                kind="interview_invitation",
                to="grace@example.com",
                variables={k: v for k, v in _variables().items() if k != "role"},
                organization_id=organization.id,
                settings=test_settings,
            )
        with pytest.raises(ValueError, match="unknown"):
            await send_templated(
                session, kind="nope", to="a@example.com", variables={}, organization_id=None
            )
        # Scoped to this test's organization and kind: committed tests elsewhere leave mail.
        written = select(func.count()).select_from(OutboxMessage)
        mine = (OutboxMessage.organization_id == organization.id) | (OutboxMessage.kind == "nope")
        assert await session.scalar(written.where(mine)) == 0


async def test_a_team_invitation_uses_the_organizations_template(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session, name="Acme")
        admin, _ = await make_member(session, organization, role="admin")
    await sign_in(client, admin.email)
    saved = await client.put(
        f"/api/v1/organizations/{organization.id}/email-templates/team_invitation",
        json={
            "subject": "Come work with us at {{ organization_name }}",
            "text_body": "{{ inviter_line }} as {{ role_name }}: {{ link }}",
            "html_body": '<p><a href="{{ link }}">Join</a></p>',
        },
    )
    assert saved.status_code == 200, saved.text
    roles = (await client.get(f"/api/v1/organizations/{organization.id}/roles")).json()
    recruiter = next(r for r in roles if r["key"] == "recruiter")
    invited = await client.post(
        f"/api/v1/organizations/{organization.id}/invitations",
        json={"email": "new@example.com", "role_id": recruiter["id"]},
    )
    assert invited.status_code == 201, invited.text
    async with db.transaction() as session:
        [message] = list(
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.to_address == "new@example.com")
            )
        )
    assert message.subject == "Come work with us at Acme"
    assert re.search(r"invited you as Recruiter: \S+/invitations/accept\?token=", message.text_body)
    assert message.transactional is True
    assert "/unsubscribe/" not in message.text_body
