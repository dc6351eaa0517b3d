"""The pipeline pages: the board (htmx moves return the updated board), bulk actions, load
more, the application page's forms and the stage template editor."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from hireflow.db import Database
from hireflow.models import Application, ApplicationFeedback, ApplicationNote, StageTemplate
from tests.applications.conftest import World
from tests.factories.applications import make_application
from tests.factories.candidates import make_candidate
from tests.factories.jobs import make_job
from tests.factories.organizations import make_organization
from tests.factories.users import make_member, sign_in
from tests.web.test_pages import HTML, HTMX, assert_html


async def _stored(db: Database, application: Application) -> Application:
    async with db.transaction() as session:
        stored = await session.get_one(Application, application.id, populate_existing=True)
        session.expunge(stored)
        return stored


async def test_the_board_shows_every_stage_with_counts_and_cards(
    client: httpx.AsyncClient, world: World
) -> None:
    await sign_in(client, world.owner.email)
    page = assert_html(await client.get(world.page(f"/jobs/{world.job.id}/pipeline"), headers=HTML))
    assert page.h1 == ["Pipeline"]
    assert not page.csp_offences
    assert "board" in page.ids
    for application in world.applications:
        assert world.page(f"/applications/{application.id}") in page.links
    response = await client.get(world.page(f"/jobs/{world.job.id}/pipeline"), headers=HTML)
    assert "Ada Lovelace" in response.text
    assert "No applications in this stage." in response.text
    assert 'class="pipeline-count">3</span>' in response.text


async def test_an_htmx_move_returns_the_updated_board(
    client: httpx.AsyncClient, db: Database, world: World
) -> None:
    await sign_in(client, world.owner.email)
    application = world.applications[0]
    response = await client.post(
        world.page(f"/applications/{application.id}/move"),
        data={
            "stage_id": str(world.stages["screen"].id),
            "expected_stage_id": str(world.stages["applied"].id),
            "view": "board",
        },
        headers=HTMX,
    )
    fragment = assert_html(response)
    assert fragment.ids[0] == "board"
    assert "<html" not in response.text
    screen_column = response.text.split(f'id="stage-{world.stages["screen"].id}"')[1]
    screen_column = screen_column.split("pipeline-column-title")[0]
    assert "Ada Lovelace" in screen_column
    assert (await _stored(db, application)).stage_id == world.stages["screen"].id
    # The same card again, from a board that still shows it in Applied: a 409 toast.
    stale = await client.post(
        world.page(f"/applications/{application.id}/move"),
        data={
            "stage_id": str(world.stages["offer"].id),
            "expected_stage_id": str(world.stages["applied"].id),
            "view": "board",
        },
        headers=HTMX,
    )
    assert stale.status_code == 409
    assert stale.headers["hx-retarget"] == "#toasts"
    assert (await _stored(db, application)).stage_id == world.stages["screen"].id


async def test_a_move_without_javascript_redirects_to_the_board(
    client: httpx.AsyncClient, db: Database, world: World
) -> None:
    await sign_in(client, world.owner.email)
    application = world.applications[1]
    response = await client.post(
        world.page(f"/applications/{application.id}/move"),
        data={"stage_id": str(world.stages["interview"].id), "view": "board"},
        headers=HTML,
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith(world.page(f"/jobs/{world.job.id}/pipeline"))
    assert (await _stored(db, application)).stage_id == world.stages["interview"].id


async def test_bulk_move_and_reject_from_the_board(
    client: httpx.AsyncClient, db: Database, world: World
) -> None:
    await sign_in(client, world.owner.email)
    url = world.page(f"/jobs/{world.job.id}/pipeline/bulk")
    ids = [str(a.id) for a in world.applications]
    no_reason = await client.post(
        url, data={"application_ids": ids[:2], "action": "reject", "reason": ""}, headers=HTML
    )
    assert no_reason.status_code == 422
    for application in world.applications:
        assert (await _stored(db, application)).status == "active"
    moved = await client.post(
        url,
        data={
            "application_ids": ids[:2],
            "action": "move",
            "stage_id": str(world.stages["screen"].id),
        },
        headers=HTMX,
    )
    assert assert_html(moved).ids[0] == "board"
    assert (await _stored(db, world.applications[0])).stage_id == world.stages["screen"].id
    rejected = await client.post(
        url, data={"application_ids": ids[2:], "action": "reject", "reason": "Filled"}, headers=HTML
    )
    assert rejected.status_code == 303
    stored = await _stored(db, world.applications[2])
    assert (stored.status, stored.rejection_reason) == ("rejected", "Filled")


async def test_load_more_in_a_column(client: httpx.AsyncClient, db: Database, world: World) -> None:
    async with db.transaction() as session:
        for index in range(30):
            candidate = await make_candidate(session, world.org, full_name=f"Extra {index:02d}")
            await make_application(session, world.job, candidate)
    await sign_in(client, world.owner.email)
    board = await client.get(world.page(f"/jobs/{world.job.id}/pipeline"), headers=HTML)
    assert board.text.count('class="pipeline-card"') == 25
    more_url = next(
        link
        for link in assert_html(board).links
        if f"/pipeline/stages/{world.stages['applied'].id}?cursor=" in link
    )
    fragment = await client.get(more_url, headers=HTMX)
    assert fragment.status_code == 200
    assert fragment.text.count('class="pipeline-card"') == 8
    assert "Extra 29" in fragment.text
    assert "Load more" not in fragment.text
    page = assert_html(await client.get(more_url, headers=HTML))
    assert page.h1 == ["Applied"]


async def test_the_application_page_and_its_forms(
    client: httpx.AsyncClient, db: Database, world: World
) -> None:
    await sign_in(client, world.owner.email)
    application = world.applications[0]
    url = world.page(f"/applications/{application.id}")
    page = assert_html(await client.get(url, headers=HTML))
    assert page.h1 == ["Ada Lovelace"]
    assert not page.csp_offences
    assert world.page(f"/candidates/{world.candidates[0].id}") in page.links
    assert world.page(f"/jobs/{world.job.id}") in page.links

    refused = await client.post(f"{url}/reject", data={"reason": " "}, headers=HTML)
    assert refused.status_code == 422
    assert "Give a reason" in refused.text
    assert (await _stored(db, application)).status == "active"

    scored = await client.post(f"{url}/score", data={"score": "88", "selected": "on"}, headers=HTML)
    assert scored.status_code == 303
    bad_score = await client.post(f"{url}/score", data={"score": "188"}, headers=HTML)
    assert bad_score.status_code == 422
    stored = await _stored(db, application)
    assert (stored.score, stored.selected) == (88, True)

    feedback = await client.post(
        f"{url}/feedback",
        data={
            "overall": "4",
            "criterion-0": "Python",
            "rating-0": "5",
            "criterion-1": "Communication",
            "comment": "Clear thinker",
        },
        headers=HTML,
    )
    assert feedback.status_code == 303, feedback.text
    no_overall = await client.post(f"{url}/feedback", data={"comment": "x"}, headers=HTML)
    assert no_overall.status_code == 422
    async with db.transaction() as session:
        saved = await session.scalar(
            select(ApplicationFeedback).where(ApplicationFeedback.application_id == application.id)
        )
        assert saved is not None
        assert (saved.overall, saved.ratings, saved.comment) == (4, {"Python": 5}, "Clear thinker")

    note = await client.post(f"{url}/notes", data={"body": "Wants to start in May"}, headers=HTML)
    assert note.status_code == 303
    shown = await client.get(url, headers=HTML)
    assert "Wants to start in May" in shown.text
    assert "Clear thinker" in shown.text

    hired = await client.post(f"{url}/hire", headers=HTML)
    assert hired.status_code == 303
    assert (await _stored(db, application)).status == "hired"
    reopened = await client.post(f"{url}/reopen", headers=HTML)
    assert reopened.status_code == 303
    assert (await _stored(db, application)).status == "active"


async def test_an_interviewer_never_sees_notes_on_the_page(
    client: httpx.AsyncClient, db: Database, world: World
) -> None:
    async with db.transaction() as session:
        interviewer, _ = await make_member(session, world.org, role="interviewer")
        assigned = await make_job(session, world.org, title="Assigned", assignees=[interviewer])
        application = await make_application(session, assigned, world.candidates[0])
        session.add(
            ApplicationNote(
                organization_id=world.org.id,
                application_id=application.id,
                author_user_id=world.owner.id,
                body="Secret salary detail",
            )
        )
    await sign_in(client, interviewer.email)
    page = await client.get(world.page(f"/applications/{application.id}"), headers=HTML)
    assert page.status_code == 200
    assert "Secret salary detail" not in page.text
    assert "Private notes" not in page.text
    not_assigned = await client.get(
        world.page(f"/applications/{world.applications[0].id}"), headers=HTML
    )
    assert not_assigned.status_code == 404


async def test_other_organizations_pages_are_404(
    client: httpx.AsyncClient, db: Database, world: World
) -> None:
    async with db.transaction() as session:
        other = await make_organization(session, name="Other org")
        job = await make_job(session, other)
        theirs = await make_application(session, job, await make_candidate(session, other))
    await sign_in(client, world.owner.email)
    for path in (f"/applications/{theirs.id}", f"/jobs/{job.id}/pipeline"):
        assert (await client.get(world.page(path), headers=HTML)).status_code == 404
    moved = await client.post(
        world.page(f"/applications/{theirs.id}/move"),
        data={"stage_id": str(world.stages["screen"].id)},
        headers=HTML,
    )
    assert moved.status_code == 404


async def test_stage_template_pages(client: httpx.AsyncClient, db: Database, world: World) -> None:
    await sign_in(client, world.owner.email)
    empty = assert_html(await client.get(world.page("/stage-templates"), headers=HTML))
    assert empty.h1 == ["Stage templates"]
    form = assert_html(await client.get(world.page("/stage-templates/new"), headers=HTML))
    assert not form.csp_offences
    data = {
        "name": "Short",
        "is_default": "on",
        "name-0": "Inbox",
        "key-0": "inbox",
        "kind-0": "active",
        "position-0": "1",
        "name-1": "Rejected",
        "key-1": "rejected",
        "kind-1": "rejected",
        "position-1": "3",
        "name-2": "Hired",
        "key-2": "hired",
        "kind-2": "hired",
        "position-2": "2",
    }
    created = await client.post(world.page("/stage-templates"), data=data, headers=HTML)
    assert created.status_code == 303, created.text
    async with db.transaction() as session:
        template = await session.scalar(
            select(StageTemplate).where(StageTemplate.organization_id == world.org.id)
        )
        assert template is not None
        assert [s["key"] for s in template.stages] == ["inbox", "hired", "rejected"]
        assert template.is_default
    invalid = await client.post(
        world.page("/stage-templates"),
        data={**data, "name": "Other", "kind-2": "active"},
        headers=HTML,
    )
    assert invalid.status_code == 422
    assert "exactly one hired stage" in invalid.text
    edit = assert_html(
        await client.get(world.page(f"/stage-templates/{template.id}"), headers=HTML)
    )
    assert edit.h1 == ["Short"]
    deleted = await client.post(world.page(f"/stage-templates/{template.id}/delete"), headers=HTML)
    assert deleted.status_code == 303
