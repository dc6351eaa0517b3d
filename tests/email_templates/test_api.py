"""The email templates API: list, read, customize (checked, audited), reset, preview; who may
do what, and another organization's templates are a 404."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from hireflow.db import Database
from hireflow.models import AuditEvent, EmailTemplate, Organization, OrganizationSetting
from tests.factories.organizations import make_organization
from tests.factories.users import make_member, sign_in

CUSTOM = {
    "subject": "Join {{ organization_name }} as {{ role_name }}",
    "text_body": "{{ inviter_line }}. Accept: {{ link }}",
    "html_body": '<p>{{ inviter_line }}. <a href="{{ link }}">Accept</a></p>',
}


def _url(organization: Organization, kind: str = "") -> str:
    base = f"/api/v1/organizations/{organization.id}/email-templates"
    return f"{base}/{kind}" if kind else base


async def _admin(client: httpx.AsyncClient, db: Database) -> Organization:
    async with db.transaction() as session:
        organization = await make_organization(session, name="Acme")
        admin, _ = await make_member(session, organization, role="admin")
    await sign_in(client, admin.email)
    return organization


async def _actions(db: Database) -> list[tuple[str, dict[str, object] | None]]:
    async with db.transaction() as session:
        rows = await session.execute(
            select(AuditEvent.action, AuditEvent.data).where(
                AuditEvent.action.like("email_template.%")
            )
        )
        # One test transaction: every event has the same time, so sort by action.
        return sorted(((action, data) for action, data in rows.all()), key=lambda r: r[0])


async def test_customize_read_and_reset_a_template(client: httpx.AsyncClient, db: Database) -> None:
    organization = await _admin(client, db)
    listed = (await client.get(_url(organization))).json()
    kinds = {row["kind"]: row for row in listed}
    assert set(kinds) == {
        "verify_email",
        "account_exists",
        "reset_password",
        "team_invitation",
        "interview_invitation",
        "interview_reminder",
        "interview_completed",
    }
    assert kinds["team_invitation"]["customized"] is False
    assert kinds["interview_invitation"]["transactional"] is False
    assert "organization_name" in kinds["interview_invitation"]["variables"]

    saved = await client.put(_url(organization, "team_invitation"), json=CUSTOM)
    assert saved.status_code == 200, saved.text
    assert saved.json()["customized"] is True
    assert saved.json()["content"] == CUSTOM
    read = (await client.get(_url(organization, "team_invitation"))).json()
    assert read["content"] == CUSTOM
    assert read["default"]["subject"] == "{{ inviter_line }} to {{ organization_name }} on hireflow"
    # The same content again changes nothing and audits nothing.
    assert (await client.put(_url(organization, "team_invitation"), json=CUSTOM)).status_code == 200

    reset = await client.delete(_url(organization, "team_invitation"))
    assert reset.status_code == 204
    read = (await client.get(_url(organization, "team_invitation"))).json()
    assert read["customized"] is False
    assert read["content"] == read["default"]
    assert await _actions(db) == [
        ("email_template.reset", {"kind": "team_invitation"}),
        (
            "email_template.updated",
            {"kind": "team_invitation", "changed": ["subject", "text_body", "html_body"]},
        ),
    ]


async def test_bad_templates_get_422_and_change_nothing(
    client: httpx.AsyncClient, db: Database
) -> None:
    organization = await _admin(client, db)
    url = _url(organization, "team_invitation")
    bodies = [
        {**CUSTOM, "text_body": "{% for x in role %}{{ x }}{% endfor %}"},
        {**CUSTOM, "html_body": "{{ ''.__class__.__mro__ }}"},
        {**CUSTOM, "subject": "{{ salary }}"},
        {**CUSTOM, "text_body": "fine\n{% if %}"},
        {**CUSTOM, "subject": "x" * 301},
        {**CUSTOM, "html_body": ""},
        {**CUSTOM, "organization_id": "x"},
        {"subject": "only a subject"},
    ]
    for body in bodies:
        response = await client.put(url, json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    line = await client.put(url, json={**CUSTOM, "text_body": "fine\n{% if %}"})
    assert line.json()["line"] == 2
    assert line.json()["field"] == "text_body"
    unknown = await client.put(url, json={**CUSTOM, "subject": "{{ salary }}"})
    assert unknown.json()["unknown_variables"] == ["salary"]
    assert unknown.json()["code"] == "template-invalid"
    async with db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(EmailTemplate)) == 0
    assert await _actions(db) == []


async def test_platform_kinds_read_but_cannot_be_customized(
    client: httpx.AsyncClient, db: Database
) -> None:
    organization = await _admin(client, db)
    read = await client.get(_url(organization, "reset_password"))
    assert read.status_code == 200
    assert read.json()["organization_scoped"] is False
    refused = await client.put(_url(organization, "reset_password"), json=CUSTOM)
    assert refused.status_code == 409
    assert refused.json()["code"] == "template-not-customizable"
    assert "cannot be customized" in refused.json()["detail"]
    assert (await client.delete(_url(organization, "reset_password"))).status_code == 409
    assert (await client.get(_url(organization, "no_such_kind"))).status_code == 404
    assert (await client.put(_url(organization, "no_such_kind"), json=CUSTOM)).status_code == 404


async def test_preview_renders_a_draft_with_the_organizations_branding(
    client: httpx.AsyncClient, db: Database
) -> None:
    organization = await _admin(client, db)
    patched = await client.patch(
        f"/api/v1/organizations/{organization.id}/settings", json={"brand_color": "#aa0011"}
    )
    assert patched.status_code == 200
    preview = await client.post(
        _url(organization, "interview_invitation") + "/preview",
        json={"subject": "For {{ candidate_name | upper }} at {{ organization_name }}"},
    )
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert body["subject"] == "For GRACE HOPPER at Acme"
    assert "border-top:6px solid #aa0011" in body["html"]
    assert "Unsubscribe" in body["html"]
    assert "Unsubscribe" in body["text"]
    saved_default = await client.post(_url(organization, "interview_completed") + "/preview")
    assert "Unsubscribe" not in saved_default.json()["html"]
    bad = await client.post(
        _url(organization, "interview_invitation") + "/preview", json={"html_body": "{{ x.y }}"}
    )
    assert bad.status_code == 422
    async with db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(EmailTemplate)) == 0
        assert (
            await session.scalar(select(func.count()).select_from(OrganizationSetting)) == 1
        )  # the colour only


async def test_a_recruiter_reads_but_cannot_write_or_preview(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        recruiter, _ = await make_member(session, organization, role="recruiter")
    await sign_in(client, recruiter.email)
    url = _url(organization, "team_invitation")
    assert (await client.get(_url(organization))).status_code == 200
    assert (await client.get(url)).status_code == 200
    assert (await client.put(url, json=CUSTOM)).status_code == 403
    assert (await client.delete(url)).status_code == 403
    assert (await client.post(url + "/preview", json={})).status_code == 403
    async with db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(EmailTemplate)) == 0


async def test_another_organizations_templates_are_a_404(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        theirs = await make_organization(session, name="Theirs")
        await make_member(session, theirs, role="owner")
    await _admin(client, db)
    url = _url(theirs, "team_invitation")
    assert (await client.get(_url(theirs))).status_code == 404
    assert (await client.get(url)).status_code == 404
    assert (await client.put(url, json=CUSTOM)).status_code == 404
    assert (await client.delete(url)).status_code == 404
    assert (await client.post(url + "/preview", json={})).status_code == 404
    async with db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(EmailTemplate)) == 0
