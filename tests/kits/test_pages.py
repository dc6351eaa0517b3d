"""The kit builder and preview pages: they render, their forms (no JavaScript) change the kit,
approval is offered to those who may approve, and another organization's job is a 404."""

from __future__ import annotations

import httpx

from hireflow.db import Database
from hireflow.models import InterviewKit, JobAssignment
from tests.factories.jobs import make_job
from tests.factories.kits import make_item
from tests.factories.organizations import make_organization
from tests.factories.users import make_member, sign_in
from tests.kits.conftest import Team


async def _kit(db: Database, team: Team) -> InterviewKit | None:
    from sqlalchemy import select

    async with db.transaction() as session:
        return await session.scalar(select(InterviewKit).where(InterviewKit.job_id == team.job.id))


async def _post(client: httpx.AsyncClient, team: Team, **form: str) -> httpx.Response:
    return await client.post(team.page, data=form)


async def test_builder_forms_build_reorder_and_approve_a_kit(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    q1, q2, ch = team.items
    page = await client.get(team.page)
    assert page.status_code == 200
    assert "No interview kit yet" in page.text
    assert "Add a section" in page.text

    response = await _post(client, team, action="add_section", title="Warm-up", minutes="10")
    assert response.status_code == 303
    await _post(client, team, action="add_section", title="Depth", minutes="20")
    for item in (q1, q2):
        response = await _post(client, team, action="add_item", section="0", item_id=str(item.id))
        assert response.status_code == 303
    await _post(client, team, action="add_item", section="1", item_id=str(ch.id))
    await _post(client, team, action="item_down", section="0", item_id=str(q1.id))
    await _post(client, team, action="section_up", section="1")
    await _post(client, team, action="follow_ups", follow_ups="3")
    await _post(client, team, action="update_section", section="0", title="Code", minutes="25")
    kit = await _kit(db, team)
    assert kit is not None
    assert kit.follow_ups == 3
    assert kit.sections == [
        {"title": "Code", "minutes": 25, "item_ids": [str(ch.id)]},
        {"title": "Warm-up", "minutes": 10, "item_ids": [str(q2.id), str(q1.id)]},
    ]

    page = await client.get(team.page)
    assert "Approve kit" in page.text
    assert "Add two numbers" in page.text
    assert 'method="get"' in page.text  # the library search

    approved = await client.post(f"{team.page}/approve")
    assert approved.status_code == 303
    kit = await _kit(db, team)
    assert kit is not None
    assert kit.status == "approved"
    page = await client.get(team.page)
    assert "Approved" in page.text
    assert "Approve kit" not in page.text

    await _post(client, team, action="remove_item", section="1", item_id=str(q1.id))
    kit = await _kit(db, team)
    assert kit is not None
    assert kit.status == "draft"
    assert kit.sections[1]["item_ids"] == [str(q2.id)]


async def test_search_filters_the_item_picker(client: httpx.AsyncClient, team: Team) -> None:
    await _post(client, team, action="add_section", title="Main", minutes="10")
    page = await client.get(team.page, params={"q": "incident"})
    assert "A production incident" in page.text
    assert "Scaling a read-heavy API" not in page.text


async def test_bad_forms_are_refused_and_nothing_changes(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    for form in (
        {"action": "add_section", "title": "", "minutes": "10"},
        {"action": "add_section", "title": "A", "minutes": "lots"},
        {"action": "add_section", "title": "A", "minutes": "999"},
        {"action": "explode"},
        {"action": "add_item", "section": "0", "item_id": "nope"},
        {"action": "remove_section", "section": "4"},
    ):
        response = await _post(client, team, **form)
        assert response.status_code in (404, 422), form
    assert await _kit(db, team) is None


async def test_approve_shows_the_blocking_items(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        draft = await make_item(session, team.organization, title="Unreviewed", approved=False)
    await _post(client, team, action="add_section", title="Main", minutes="10")
    async with db.transaction() as session:
        kit = await session.get(InterviewKit, (await _kit(db, team)).id)  # type: ignore[union-attr]
        assert kit is not None
        kit.sections = [{"title": "Main", "minutes": 10, "item_ids": [str(draft.id)]}]
    page = await client.get(team.page)
    assert "Not approved yet" in page.text
    assert "Unreviewed" in page.text
    response = await client.post(f"{team.page}/approve")
    assert response.status_code == 409
    assert "no approved version" in response.text


async def test_preview_page_hides_rubrics_and_hidden_tests(
    client: httpx.AsyncClient, team: Team
) -> None:
    await _post(client, team, action="add_section", title="Main", minutes="10")
    for item in team.items:
        await _post(client, team, action="add_item", section="0", item_id=str(item.id))
    page = await client.get(f"{team.page}/preview")
    assert page.status_code == 200
    assert "How would you approach: A production incident?" in page.text
    assert "def add(a, b)" in page.text
    assert "SECRET" not in page.text


async def test_recruiter_sees_no_approve_button(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    await _post(client, team, action="add_section", title="Main", minutes="10")
    async with db.transaction() as session:
        recruiter, _ = await make_member(session, team.organization, role="recruiter")
        session.add(
            JobAssignment(
                organization_id=team.organization.id, job_id=team.job.id, user_id=recruiter.id
            )
        )
    await sign_in(client, recruiter.email)
    page = await client.get(team.page)
    assert page.status_code == 200
    assert "Approve kit" not in page.text
    assert (await client.post(f"{team.page}/approve")).status_code == 403


async def test_job_page_links_to_the_kit(client: httpx.AsyncClient, team: Team) -> None:
    page = await client.get(f"/organizations/{team.organization.id}/jobs/{team.job.id}")
    assert f'href="{team.page}"' in page.text


async def test_another_organizations_job_is_404(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        other = await make_organization(session, name="Globex")
        their_job = await make_job(session, other)
    url = f"/organizations/{team.organization.id}/jobs/{their_job.id}/kit"
    assert (await client.get(url)).status_code == 404
    assert (await client.get(f"{url}/preview")).status_code == 404
    response = await client.post(url, data={"action": "add_section", "title": "A", "minutes": "5"})
    assert response.status_code == 404
    assert (await client.post(f"{url}/approve")).status_code == 404
