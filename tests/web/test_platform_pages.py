"""The platform admin pages over HTTP: the installation-wide audit log and the email outbox."""

from __future__ import annotations

import uuid

import httpx
import pytest

from hireflow.audit import service as audit
from hireflow.audit.service import SYSTEM
from hireflow.db import Database
from hireflow.models import OutboxMessage, User
from tests.factories.organizations import make_organization
from tests.factories.users import MFA_SECRET, make_member, make_user
from tests.web.test_identity_pages import page_sign_in
from tests.web.test_pages import HTML, Markup, assert_html


async def _admin(db: Database) -> User:
    async with db.transaction() as session:
        admin = await make_user(session, mfa_secret=MFA_SECRET)
        admin.is_platform_admin = True
    return admin


async def _text(client: httpx.AsyncClient, path: str, params: dict[str, str] | None = None) -> str:
    response = await client.get(path, params=params, headers=HTML)
    markup = assert_html(response)
    assert not markup.csp_offences
    return response.text


def _message(to: str, kind: str, status: str, html_body: str | None = None) -> OutboxMessage:
    return OutboxMessage(
        to_address=to,
        subject=f"Subject for {to}",
        text_body=f"Hello {to}",
        html_body=html_body,
        message_id=f"<{uuid.uuid4().hex}@hireflow.test>",
        kind=kind,
        status=status,
    )


async def test_admin_reads_the_audit_log_with_filters_and_pages(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        first = await make_organization(session)
        second = await make_organization(session)
        for n in range(52):
            await audit.record(
                session,
                "platform.test_many",
                origin=SYSTEM,
                organization_id=first.id,
                data={"n": n},
            )
        await audit.record(session, "platform.test_other", origin=SYSTEM, organization_id=second.id)
    admin = await _admin(db)
    await page_sign_in(client, admin.email)

    page = await _text(client, "/platform/audit")
    assert 'href="/platform/audit" aria-current="page">Platform</a>' in page
    assert "platform.test_other" in page

    only_second = await _text(client, "/platform/audit", {"organization": str(second.id)})
    assert "platform.test_other" in only_second
    assert "platform.test_many" not in only_second

    by_action = await _text(client, "/platform/audit", {"action": "platform.test_many"})
    assert "platform.test_other" not in by_action
    assert "Older events</a>" in by_action
    older = [
        link
        for link in Markup(by_action).links
        if link.startswith("/platform/audit?") and "before=" in link
    ]
    assert len(older) == 1
    second_page = await _text(client, older[0])
    assert "&#34;n&#34;: 0" in second_page or '"n": 0' in second_page
    assert "Older events</a>" not in second_page

    nobody = await _text(client, "/platform/audit", {"actor": "not-a-uuid"})
    assert "No events match" in nobody


async def test_admin_reads_the_outbox_with_filters(client: httpx.AsyncClient, db: Database) -> None:
    async with db.transaction() as session:
        session.add_all(
            [
                _message("ada@outbox.test", "verify_email", "sent"),
                _message("bob@outbox.test", "reset_password", "failed"),
            ]
        )
    admin = await _admin(db)
    await page_sign_in(client, admin.email)

    everything = await _text(client, "/platform/outbox")
    assert "ada@outbox.test" in everything
    assert "bob@outbox.test" in everything

    failed = await _text(client, "/platform/outbox", {"status": "failed"})
    assert "bob@outbox.test" in failed
    assert "ada@outbox.test" not in failed

    by_kind = await _text(
        client, "/platform/outbox", {"kind": "verify_email", "to": "ada@outbox.test"}
    )
    assert "ada@outbox.test" in by_kind
    assert "bob@outbox.test" not in by_kind


async def test_outbox_message_shows_the_html_body_escaped(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        message = _message(
            "eve@outbox.test", "team_invitation", "stored", "<p>Hi</p><script>alert(1)</script>"
        )
        session.add(message)
        await session.flush()
    admin = await _admin(db)
    await page_sign_in(client, admin.email)

    page = await _text(client, f"/platform/outbox/{message.id}")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Hello eve@outbox.test" in page
    assert message.message_id.replace("<", "&lt;").replace(">", "&gt;") in page

    missing = await client.get(f"/platform/outbox/{uuid.uuid4()}", headers=HTML)
    assert_html(missing, 404)


async def test_members_who_are_not_platform_admins_get_403(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        owner, _ = await make_member(session, organization, role="owner")
        message = _message("kim@outbox.test", "verify_email", "sent")
        session.add(message)
        await session.flush()
    await page_sign_in(client, owner.email)
    home = await _text(client, f"/organizations/{organization.id}/team")
    assert 'href="/platform/audit"' not in home
    for path in ("/platform/audit", "/platform/outbox", f"/platform/outbox/{message.id}"):
        response = await client.get(path, headers=HTML)
        assert_html(response, 403)
        assert "kim@outbox.test" not in response.text


@pytest.mark.parametrize(
    "path", ["/platform/audit?action=x", "/platform/outbox", f"/platform/outbox/{uuid.UUID(int=1)}"]
)
async def test_signed_out_visitors_are_sent_to_sign_in(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path, headers=HTML)
    assert response.status_code == 303
    assert response.headers["location"] == str(httpx.URL("/login", params={"next": path}))
