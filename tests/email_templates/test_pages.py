"""The email template pages: the list linked from the organization's tabs, the edit page with
its variables, saving (errors beside the form, nothing changed), resetting, and the preview
answered under its own strict CSP for the sandboxed iframe."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from hireflow.db import Database
from hireflow.models import EmailTemplate
from tests.factories.organizations import make_organization
from tests.factories.users import make_member
from tests.web.test_identity_pages import csrf_of, page_sign_in
from tests.web.test_pages import HTML, assert_html

FORM = {
    "subject": "Your interview at {{ organization_name }}",
    "text_body": "Hello {{ candidate_name }}: {{ link }}",
    "html_body": '<p>Hello {{ candidate_name }}: <a href="{{ link }}">start</a></p>',
}


async def _signed_in_admin(client: httpx.AsyncClient, db: Database) -> str:
    async with db.transaction() as session:
        organization = await make_organization(session, name="Acme")
        admin, _ = await make_member(session, organization, role="admin")
    await page_sign_in(client, admin.email)
    return f"/organizations/{organization.id}/email-templates"


async def _templates(db: Database) -> int:
    async with db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(EmailTemplate)) or 0)


async def test_list_and_edit_pages_render(client: httpx.AsyncClient, db: Database) -> None:
    base = await _signed_in_admin(client, db)
    listed = assert_html(await client.get(base, headers=HTML))
    assert listed.h1 == ["Email templates"]
    assert listed.csp_offences == []
    assert f"{base}/interview_invitation" in listed.links
    settings = assert_html(await client.get(base.replace("email-templates", "settings")))
    assert base in settings.links  # the organization's tabs link to the templates

    response = await client.get(f"{base}/interview_invitation", headers=HTML)
    edit = assert_html(response)
    edit_text = response.text
    assert edit.h1 == ["Interview invitation"]
    assert edit.csp_offences == []
    assert "<code>candidate_name</code>" in edit_text
    assert f'formaction="{base}/interview_invitation/preview"' in edit_text
    assert 'name="email-preview"' in edit_text
    assert "sandbox" in edit_text

    platform = await client.get(f"{base}/reset_password", headers=HTML)
    assert_html(platform)
    assert "cannot be customized" in platform.text
    assert (await client.get(f"{base}/nope", headers=HTML)).status_code == 404


async def test_save_with_an_error_shows_it_beside_the_field_and_changes_nothing(
    client: httpx.AsyncClient, db: Database
) -> None:
    base = await _signed_in_admin(client, db)
    url = f"{base}/interview_invitation"
    refused = await client.post(
        url,
        data={
            **FORM,
            "text_body": "{% for x in role %}{% endfor %}",
            "csrf_token": csrf_of(client),
        },
        headers=HTML,
    )
    page = assert_html(refused, 422)
    assert 'id="field-text_body-error">Line 1: Loops' in refused.text
    assert "{% for x in role %}" in refused.text  # the draft is kept
    assert page.csp_offences == []
    assert await _templates(db) == 0

    saved = await client.post(url, data={**FORM, "csrf_token": csrf_of(client)}, headers=HTML)
    assert saved.status_code == 303
    assert saved.headers["location"] == f"{url}?notice=email-template-saved"
    assert await _templates(db) == 1
    edit = await client.get(url, headers=HTML)
    assert_html(edit)
    assert "Your interview at {{ organization_name }}" in edit.text
    assert "Reset to default" in edit.text

    reset = await client.post(f"{url}/reset", data={"csrf_token": csrf_of(client)}, headers=HTML)
    assert reset.headers["location"] == f"{url}?notice=email-template-reset"
    assert await _templates(db) == 0


async def test_the_preview_is_the_rendered_email_under_a_strict_csp(
    client: httpx.AsyncClient, db: Database
) -> None:
    base = await _signed_in_admin(client, db)
    url = f"{base}/interview_invitation/preview"
    strict = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; sandbox; "
        "frame-ancestors 'self'"
    )

    saved = await client.get(url, headers=HTML)
    assert saved.status_code == 200
    assert saved.headers["content-security-policy"] == strict
    assert saved.headers["x-frame-options"] == "SAMEORIGIN"
    assert "Start the interview" in saved.text

    draft = await client.post(
        url,
        data={
            **FORM,
            "html_body": "<p>{{ candidate_name | upper }} <script>x</script></p>",
            "csrf_token": csrf_of(client),
        },
        headers=HTML,
    )
    assert draft.status_code == 200
    assert draft.headers["content-security-policy"] == strict
    assert "<p>GRACE HOPPER <script>x</script></p>" in draft.text  # inert: the CSP runs nothing
    assert "Acme" in draft.text

    broken = await client.post(
        url, data={**FORM, "subject": "{{ x.y }}", "csrf_token": csrf_of(client)}, headers=HTML
    )
    assert broken.status_code == 422
    assert broken.headers["content-security-policy"] == strict
    assert "The preview failed" in broken.text
    assert "Attribute" in broken.text
    assert await _templates(db) == 0


async def test_a_recruiter_sees_the_templates_but_cannot_save(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        recruiter, _ = await make_member(session, organization, role="recruiter")
    await page_sign_in(client, recruiter.email)
    url = f"/organizations/{organization.id}/email-templates/interview_invitation"
    page = await client.get(url, headers=HTML)
    assert_html(page)
    assert "Read only" in page.text
    refused = await client.post(url, data={**FORM, "csrf_token": csrf_of(client)}, headers=HTML)
    assert refused.status_code == 403
    assert (await client.get(f"{url}/preview", headers=HTML)).status_code == 403
    assert await _templates(db) == 0
