"""The applications API: applying, reading, the board, moves, rejections, hires, reopening,
scores, feedback and private notes, through the real app and database."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import func, select

from hireflow.db import Database
from hireflow.models import Application, ApplicationEvent, AuditEvent
from tests.applications.conftest import World
from tests.factories.applications import back_date, make_application
from tests.factories.candidates import make_candidate
from tests.factories.jobs import job_stage, make_job
from tests.factories.organizations import make_organization
from tests.factories.users import make_member, sign_in


async def _application(db: Database, application_id: uuid.UUID) -> Application:
    async with db.transaction() as session:
        application = await session.get_one(Application, application_id, populate_existing=True)
        session.expunge(application)
        return application


async def _event_count(db: Database, application_id: uuid.UUID) -> int:
    async with db.transaction() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(ApplicationEvent)
            .where(ApplicationEvent.application_id == application_id)
        )
        return int(count or 0)


# --- applying -------------------------------------------------------------------------------------


async def test_apply_puts_the_candidate_in_the_first_stage(
    client: httpx.AsyncClient, db: Database, world: World
) -> None:
    async with db.transaction() as session:
        candidate = await make_candidate(session, world.org, full_name="Katherine Johnson")
    await sign_in(client, world.owner.email)
    response = await client.post(
        world.url("/applications"),
        json={"job_id": str(world.job.id), "candidate_id": str(candidate.id), "source": "referral"},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["candidate"]["full_name"] == "Katherine Johnson"
    assert body["stage"]["key"] == "applied"
    assert body["status"] == "active"
    assert body["source"] == "referral"
    assert [e["type"] for e in body["events"]] == ["applied"]
    assert body["notes"] == []  # owners may read private notes
    async with db.transaction() as session:
        audit = await session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "application.created", AuditEvent.target_id == body["id"]
            )
        )
    assert audit is not None


async def test_applying_twice_is_409_with_the_existing_id(
    client: httpx.AsyncClient, world: World
) -> None:
    await sign_in(client, world.owner.email)
    response = await client.post(
        world.url("/applications"),
        json={"job_id": str(world.job.id), "candidate_id": str(world.candidates[0].id)},
    )
    assert response.status_code == 409
    assert response.json()["application_id"] == str(world.applications[0].id)


async def test_applying_to_a_closed_job_is_409_and_changes_nothing(
    client: httpx.AsyncClient, db: Database, world: World
) -> None:
    async with db.transaction() as session:
        closed = await make_job(session, world.org, title="Old", status="closed")
    await sign_in(client, world.owner.email)
    response = await client.post(
        world.url("/applications"),
        json={"job_id": str(closed.id), "candidate_id": str(world.candidates[0].id)},
    )
    assert response.status_code == 409
    async with db.transaction() as session:
        count = await session.scalar(
            select(func.count()).select_from(Application).where(Application.job_id == closed.id)
        )
    assert count == 0


async def test_applying_with_bad_input_is_422(
    client: httpx.AsyncClient, db: Database, world: World
) -> None:
    async with db.transaction() as session:
        other = await make_organization(session, name="Other")
        their_candidate = await make_candidate(session, other)
    await sign_in(client, world.owner.email)
    cases = [
        {"job_id": str(world.job.id)},
        {"job_id": "nope", "candidate_id": str(world.candidates[0].id)},
        {"job_id": str(world.job.id), "candidate_id": str(their_candidate.id)},
        {"job_id": str(uuid.uuid4()), "candidate_id": str(world.candidates[0].id)},
        {"job_id": str(world.job.id), "candidate_id": str(world.candidates[0].id), "x": 1},
    ]
    for body in cases:
        response = await client.post(world.url("/applications"), json=body)
        assert response.status_code == 422, (body, response.text)
    async with db.transaction() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(Application)
            .where(Application.candidate_id == their_candidate.id)
        )
    assert count == 0


# --- reading --------------------------------------------------------------------------------------


async def test_read_an_application_with_time_in_stage(
    client: httpx.AsyncClient, db: Database, world: World
) -> None:
    application = world.applications[0]
    async with db.transaction() as session:
        application = await session.get_one(Application, application.id)
        await back_date(session, application, 3 * 3600)
    await sign_in(client, world.owner.email)
    moved = await client.post(
        world.url(f"/applications/{application.id}/move"),
        json={"stage_id": str(world.stages["screen"].id)},
    )
    assert moved.status_code == 200, moved.text
    body = (await client.get(world.url(f"/applications/{application.id}"))).json()
    assert body["stage"]["key"] == "screen"
    assert 0 <= body["seconds_in_stage"] < 600
    move = body["events"][-1]
    assert move["type"] == "moved"
    assert move["from_stage_name"] == "Applied"
    assert move["to_stage_name"] == "Screen"
    assert 3 * 3600 <= move["seconds_in_stage"] < 3 * 3600 + 600
    visits = body["stages"]
    assert [v["stage_name"] for v in visits] == ["Applied", "Screen"]
    assert 3 * 3600 <= visits[0]["seconds"] < 3 * 3600 + 600
    assert visits[1]["left_at"] is None


async def test_list_a_jobs_applications_in_keyset_pages(
    client: httpx.AsyncClient, db: Database, world: World
) -> None:
    async with db.transaction() as session:
        for index, application in enumerate(world.applications):
            application = await session.get_one(Application, application.id)
            await back_date(session, application, 1000 - index)
    await sign_in(client, world.owner.email)
    first = await client.get(world.url(f"/jobs/{world.job.id}/applications"), params={"limit": 2})
    assert first.status_code == 200
    page = first.json()
    assert [i["candidate_name"] for i in page["items"]] == ["Ada Lovelace", "Grace Hopper"]
    assert page["next_cursor"]
    second = await client.get(
        world.url(f"/jobs/{world.job.id}/applications"),
        params={"limit": 2, "cursor": page["next_cursor"]},
    )
    assert [i["candidate_name"] for i in second.json()["items"]] == ["Alan Turing"]
    assert second.json()["next_cursor"] is None
    filtered = await client.get(
        world.url(f"/jobs/{world.job.id}/applications"),
        params={"stage_id": str(world.stages["screen"].id)},
    )
    assert filtered.json()["items"] == []
    bad = await client.get(
        world.url(f"/jobs/{world.job.id}/applications"), params={"cursor": "not-a-cursor"}
    )
    assert bad.status_code == 422
    too_many = await client.get(
        world.url(f"/jobs/{world.job.id}/applications"), params={"limit": 101}
    )
    assert too_many.status_code == 422


async def test_pipeline_has_every_stage_with_counts_and_cards(
    client: httpx.AsyncClient, world: World
) -> None:
    await sign_in(client, world.owner.email)
    await client.post(
        world.url(f"/applications/{world.applications[2].id}/move"),
        json={"stage_id": str(world.stages["interview"].id)},
    )
    await client.patch(
        world.url(f"/applications/{world.applications[0].id}"), json={"score": 80, "selected": True}
    )
    response = await client.get(
        world.url(f"/jobs/{world.job.id}/pipeline"), params={"per_stage": 1}
    )
    assert response.status_code == 200
    board = response.json()
    assert board["total"] == 3
    keys = [c["stage"]["key"] for c in board["stages"]]
    assert keys == ["applied", "screen", "ai_interview", "interview", "offer", "hired", "rejected"]
    applied = board["stages"][0]
    assert applied["count"] == 2
    assert len(applied["cards"]) == 1
    assert applied["cards"][0]["candidate_name"] == "Ada Lovelace"
    assert applied["cards"][0]["score"] == 80
    assert applied["cards"][0]["selected"] is True
    assert applied["next_cursor"]
    more = await client.get(
        world.url(f"/jobs/{world.job.id}/applications"),
        params={"stage_id": applied["stage"]["id"], "cursor": applied["next_cursor"]},
    )
    assert [i["candidate_name"] for i in more.json()["items"]] == ["Grace Hopper"]
    interview = board["stages"][3]
    assert interview["count"] == 1
    assert interview["cards"][0]["candidate_name"] == "Alan Turing"
    assert interview["next_cursor"] is None
    assert board["stages"][1] == {**board["stages"][1], "count": 0, "cards": []}


# --- moves ----------------------------------------------------------------------------------------


async def test_move_with_a_stale_expected_stage_is_409_with_the_current_stage(
    client: httpx.AsyncClient, db: Database, world: World
) -> None:
    application = world.applications[0]
    await sign_in(client, world.owner.email)
    seen = str(world.stages["applied"].id)
    first = await client.post(
        world.url(f"/applications/{application.id}/move"),
        json={"stage_id": str(world.stages["screen"].id), "expected_stage_id": seen},
    )
    second = await client.post(
        world.url(f"/applications/{application.id}/move"),
        json={"stage_id": str(world.stages["interview"].id), "expected_stage_id": seen},
    )
    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json()["current_stage_id"] == str(world.stages["screen"].id)
    assert (await _application(db, application.id)).stage_id == world.stages["screen"].id
    assert await _event_count(db, application.id) == 2


async def test_move_to_another_jobs_stage_is_422_and_changes_nothing(
    client: httpx.AsyncClient, db: Database, world: World
) -> None:
    async with db.transaction() as session:
        other_job = await make_job(session, world.org, title="Other")
        foreign = await job_stage(session, other_job, "screen")
    await sign_in(client, world.owner.email)
    application = world.applications[0]
    for body in (
        {"stage_id": str(foreign.id)},
        {"stage_id": str(uuid.uuid4())},
        {"stage_id": "screen"},
        {},
        {"stage_id": str(world.stages["screen"].id), "surprise": True},
        {"stage_id": str(world.stages["rejected"].id)},  # rejecting needs a reason
    ):
        response = await client.post(world.url(f"/applications/{application.id}/move"), json=body)
        assert response.status_code == 422, (body, response.text)
    assert (await _application(db, application.id)).stage_id == world.stages["applied"].id
    assert await _event_count(db, application.id) == 1


async def test_moving_to_the_rejected_stage_rejects_with_the_reason(
    client: httpx.AsyncClient, db: Database, world: World
) -> None:
    await sign_in(client, world.owner.email)
    response = await client.post(
        world.url(f"/applications/{world.applications[0].id}/move"),
        json={"stage_id": str(world.stages["rejected"].id), "reason": "Not enough Rust"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "rejected"
    assert body["rejection_reason"] == "Not enough Rust"
    assert body["closed_at"] is not None
    assert body["events"][-1]["type"] == "rejected"


async def test_reject_needs_a_reason_and_changes_nothing_without(
    client: httpx.AsyncClient, db: Database, world: World
) -> None:
    application = world.applications[0]
    await sign_in(client, world.owner.email)
    for body in ({}, {"reason": ""}, {"reason": "   "}, {"reason": "x" * 301}):
        response = await client.post(world.url(f"/applications/{application.id}/reject"), json=body)
        assert response.status_code == 422, body
    stored = await _application(db, application.id)
    assert (stored.status, stored.stage_id) == ("active", world.stages["applied"].id)
    assert await _event_count(db, application.id) == 1


async def test_reject_then_reopen_returns_to_the_stage_before(
    client: httpx.AsyncClient, db: Database, world: World
) -> None:
    application = world.applications[0]
    await sign_in(client, world.owner.email)
    await client.post(
        world.url(f"/applications/{application.id}/move"),
        json={"stage_id": str(world.stages["interview"].id)},
    )
    rejected = await client.post(
        world.url(f"/applications/{application.id}/reject"), json={"reason": "Salary"}
    )
    assert rejected.json()["stage"]["key"] == "rejected"
    assert rejected.json()["status"] == "rejected"
    closed_move = await client.post(
        world.url(f"/applications/{application.id}/move"),
        json={"stage_id": str(world.stages["offer"].id)},
    )
    assert closed_move.status_code == 409
    assert (await client.post(world.url(f"/applications/{application.id}/hire"))).status_code == 409
    reopened = await client.post(world.url(f"/applications/{application.id}/reopen"))
    assert reopened.status_code == 200
    body = reopened.json()
    assert (body["stage"]["key"], body["status"]) == ("interview", "active")
    assert body["rejection_reason"] is None
    assert body["closed_at"] is None
    assert [e["type"] for e in body["events"]] == ["applied", "moved", "rejected", "reopened"]
    again = await client.post(world.url(f"/applications/{application.id}/reopen"))
    assert again.status_code == 409


async def test_hire(client: httpx.AsyncClient, db: Database, world: World) -> None:
    await sign_in(client, world.owner.email)
    response = await client.post(world.url(f"/applications/{world.applications[1].id}/hire"))
    assert response.status_code == 200
    body = response.json()
    assert (body["stage"]["key"], body["status"]) == ("hired", "hired")
    async with db.transaction() as session:
        audit = await session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "application.hired",
                AuditEvent.target_id == str(world.applications[1].id),
            )
        )
    assert audit is not None
    assert audit.actor_user_id == world.owner.id


async def test_bulk_move_is_all_or_nothing(
    client: httpx.AsyncClient, db: Database, world: World
) -> None:
    async with db.transaction() as session:
        other_job = await make_job(session, world.org, title="Other")
        elsewhere = await make_application(session, other_job, world.candidates[0])
        other = await make_organization(session, name="Other org")
        their_job = await make_job(session, other)
        theirs = await make_application(session, their_job, await make_candidate(session, other))
    await sign_in(client, world.owner.email)
    mine = [str(a.id) for a in world.applications]
    screen = str(world.stages["screen"].id)
    refused = [
        ({"application_ids": [*mine, str(theirs.id)], "stage_id": screen}, 404),
        ({"application_ids": [*mine, str(uuid.uuid4())], "stage_id": screen}, 404),
        ({"application_ids": [*mine, str(elsewhere.id)], "stage_id": screen}, 422),
        ({"application_ids": [], "stage_id": screen}, 422),
        ({"application_ids": mine * 0 + [str(uuid.uuid4())] * 501, "stage_id": screen}, 422),
        ({"application_ids": mine, "stage_id": str(uuid.uuid4())}, 422),
    ]
    for body, status in refused:
        response = await client.post(world.url("/applications/bulk-move"), json=body)
        assert response.status_code == status, (status, response.text)
    for application in world.applications:
        assert (await _application(db, application.id)).stage_id == world.stages["applied"].id
    moved = await client.post(
        world.url("/applications/bulk-move"), json={"application_ids": mine, "stage_id": screen}
    )
    assert moved.status_code == 200
    assert moved.json()["moved"] == 3
    for application in world.applications:
        assert (await _application(db, application.id)).stage_id == world.stages["screen"].id


async def test_bulk_reject_needs_a_reason_and_open_applications(
    client: httpx.AsyncClient, db: Database, world: World
) -> None:
    await sign_in(client, world.owner.email)
    ids = [str(a.id) for a in world.applications]
    missing = await client.post(
        world.url("/applications/bulk-reject"), json={"application_ids": ids}
    )
    assert missing.status_code == 422
    await client.post(world.url(f"/applications/{ids[0]}/hire"))
    closed = await client.post(
        world.url("/applications/bulk-reject"), json={"application_ids": ids, "reason": "Filled"}
    )
    assert closed.status_code == 409
    assert closed.json()["closed_application_ids"] == [ids[0]]
    assert (await _application(db, world.applications[1].id)).status == "active"
    done = await client.post(
        world.url("/applications/bulk-reject"),
        json={"application_ids": ids[1:], "reason": "Filled"},
    )
    assert done.status_code == 200
    for application in world.applications[1:]:
        stored = await _application(db, application.id)
        assert (stored.status, stored.rejection_reason) == ("rejected", "Filled")


# --- scores and selection -------------------------------------------------------------------------


async def test_score_and_select_record_events(
    client: httpx.AsyncClient, db: Database, world: World
) -> None:
    application = world.applications[0]
    await sign_in(client, world.owner.email)
    url = world.url(f"/applications/{application.id}")
    response = await client.patch(url, json={"score": 72, "selected": True})
    assert response.status_code == 200
    assert (response.json()["score"], response.json()["selected"]) == (72, True)
    cleared = await client.patch(url, json={"score": None})
    assert cleared.json()["score"] is None
    assert cleared.json()["selected"] is True
    types = [e["type"] for e in cleared.json()["events"]]
    assert types == ["applied", "scored", "selected", "scored"]
    for bad in ({"score": 101}, {"score": -1}, {"selected": None}, {}, {"score": "a lot"}):
        assert (await client.patch(url, json=bad)).status_code == 422, bad
    stored = await _application(db, application.id)
    assert (stored.score, stored.selected) == (None, True)


# --- feedback -------------------------------------------------------------------------------------


async def test_feedback_put_list_and_delete(
    client: httpx.AsyncClient, db: Database, world: World
) -> None:
    async with db.transaction() as session:
        colleague, _ = await make_member(session, world.org, role="hiring_manager")
    application = world.applications[0]
    url = world.url(f"/applications/{application.id}/feedback")
    await sign_in(client, colleague.email)
    mine = await client.put(
        url, json={"overall": 4, "ratings": {"Python": 5, "SQL": 3}, "comment": "Strong"}
    )
    assert mine.status_code == 200, mine.text
    replaced = await client.put(url, json={"overall": 3})
    assert replaced.json()["id"] == mine.json()["id"]
    assert replaced.json()["ratings"] == {}
    for bad in (
        {"overall": 6},
        {"overall": 0},
        {"ratings": {"x": 3}},
        {"overall": 3, "ratings": {"x": 6}},
        {"overall": 3, "ratings": {"x" * 61: 3}},
        {"overall": 3, "ratings": {f"c{i}": 3 for i in range(21)}},
        {"overall": 3, "comment": "x" * 5001},
    ):
        assert (await client.put(url, json=bad)).status_code == 422, bad
    await sign_in(client, world.owner.email)
    await client.put(url, json={"overall": 5})
    listed = (await client.get(url)).json()
    assert listed["count"] == 2
    assert listed["average"] == 4.0
    assert {i["overall"] for i in listed["items"]} == {3, 5}
    assert {i["author_name"] for i in listed["items"]} == {"Test User"}
    theirs = next(i for i in listed["items"] if i["overall"] == 3)
    forbidden = await client.delete(f"{url}/{theirs['id']}")
    assert forbidden.status_code == 403
    assert (await client.get(url)).json()["count"] == 2
    ours = next(i for i in listed["items"] if i["overall"] == 5)
    assert (await client.delete(f"{url}/{ours['id']}")).status_code == 204
    assert (await client.get(url)).json()["count"] == 1
    board = (await client.get(world.url(f"/jobs/{world.job.id}/pipeline"))).json()
    assert board["stages"][0]["cards"][0]["feedback_average"] == 3.0


# --- private notes --------------------------------------------------------------------------------


async def test_notes_are_hidden_without_notes_read(
    client: httpx.AsyncClient, db: Database, world: World
) -> None:
    application = world.applications[0]
    async with db.transaction() as session:
        interviewer, _ = await make_member(session, world.org, role="interviewer")
        from hireflow.models import JobAssignment

        session.add(
            JobAssignment(organization_id=world.org.id, job_id=world.job.id, user_id=interviewer.id)
        )
    await sign_in(client, world.owner.email)
    notes_url = world.url(f"/applications/{application.id}/notes")
    added = await client.post(notes_url, json={"body": "Asked for 20% more than budget"})
    assert added.status_code == 201
    assert (await client.get(notes_url)).json()[0]["body"] == "Asked for 20% more than budget"

    await sign_in(client, interviewer.email)
    detail = await client.get(world.url(f"/applications/{application.id}"))
    assert detail.status_code == 200
    assert "notes" not in detail.json()
    assert "20% more" not in detail.text
    assert (await client.get(notes_url)).status_code == 403
    assert (await client.post(notes_url, json={"body": "mine"})).status_code == 403
    note_url = f"{notes_url}/{added.json()['id']}"
    assert (await client.patch(note_url, json={"body": "changed"})).status_code == 403
    assert (await client.delete(note_url)).status_code == 403
    # Interviewers give feedback but do not move applications.
    feedback = await client.put(
        world.url(f"/applications/{application.id}/feedback"), json={"overall": 4}
    )
    assert feedback.status_code == 200
    move = await client.post(
        world.url(f"/applications/{application.id}/move"),
        json={"stage_id": str(world.stages["screen"].id)},
    )
    assert move.status_code == 403


async def test_notes_edit_and_delete_by_their_author_only(
    client: httpx.AsyncClient, db: Database, world: World
) -> None:
    async with db.transaction() as session:
        manager, _ = await make_member(session, world.org, role="hiring_manager")
    notes_url = world.url(f"/applications/{world.applications[0].id}/notes")
    await sign_in(client, world.owner.email)
    note = (await client.post(notes_url, json={"body": "first"})).json()
    for bad in ({"body": ""}, {"body": "x" * 10001}, {}):
        assert (await client.post(notes_url, json=bad)).status_code == 422
    edited = await client.patch(f"{notes_url}/{note['id']}", json={"body": "second"})
    assert edited.json()["body"] == "second"
    await sign_in(client, manager.email)
    assert (await client.delete(f"{notes_url}/{note['id']}")).status_code == 403
    assert (await client.get(notes_url)).json()[0]["body"] == "second"
    await sign_in(client, world.owner.email)
    assert (await client.delete(f"{notes_url}/{note['id']}")).status_code == 204
    assert (await client.get(notes_url)).json() == []


# --- who sees what --------------------------------------------------------------------------------


async def test_a_recruiter_acts_only_on_applications_of_assigned_jobs(
    client: httpx.AsyncClient, db: Database, world: World
) -> None:
    async with db.transaction() as session:
        recruiter, _ = await make_member(session, world.org, role="recruiter")
        assigned = await make_job(session, world.org, title="Assigned", assignees=[recruiter])
        own = await make_application(session, assigned, world.candidates[0])
        own_screen = await job_stage(session, assigned, "screen")
    await sign_in(client, recruiter.email)
    application_id = world.applications[0].id
    for method, path, body in [
        ("GET", f"/applications/{application_id}", None),
        (
            "POST",
            f"/applications/{application_id}/move",
            {"stage_id": str(world.stages["screen"].id)},
        ),
        ("POST", f"/applications/{application_id}/reject", {"reason": "No"}),
        ("POST", f"/applications/{application_id}/hire", None),
        ("PATCH", f"/applications/{application_id}", {"score": 1}),
        ("PUT", f"/applications/{application_id}/feedback", {"overall": 1}),
        ("GET", f"/applications/{application_id}/notes", None),
        ("GET", f"/jobs/{world.job.id}/pipeline", None),
        ("GET", f"/jobs/{world.job.id}/applications", None),
        ("GET", f"/jobs/{world.job.id}/stages", None),
    ]:
        response = await client.request(method, world.url(path), json=body)
        assert response.status_code == 404, (method, path, response.text)
    bulk = await client.post(
        world.url("/applications/bulk-move"),
        json={"application_ids": [str(application_id)], "stage_id": str(world.stages["screen"].id)},
    )
    assert bulk.status_code == 404
    moved = await client.post(
        world.url(f"/applications/{own.id}/move"), json={"stage_id": str(own_screen.id)}
    )
    assert moved.status_code == 200
    board = (await client.get(world.url(f"/jobs/{assigned.id}/pipeline"))).json()
    assert board["total"] == 1
    assert (await _application(db, application_id)).stage_id == world.stages["applied"].id


async def test_another_organizations_ids_are_404(
    client: httpx.AsyncClient, db: Database, world: World
) -> None:
    async with db.transaction() as session:
        other = await make_organization(session, name="Other org")
        owner, _ = await make_member(session, other, role="owner")
        job = await make_job(session, other)
        candidate = await make_candidate(session, other)
        theirs = await make_application(session, job, candidate)
    await sign_in(client, world.owner.email)
    for method, path in [
        ("GET", f"/applications/{theirs.id}"),
        ("GET", f"/applications/{theirs.id}/feedback"),
        ("GET", f"/applications/{theirs.id}/notes"),
        ("POST", f"/applications/{theirs.id}/hire"),
        ("POST", f"/applications/{theirs.id}/reopen"),
        ("GET", f"/jobs/{job.id}/pipeline"),
        ("GET", f"/jobs/{job.id}/stages"),
        ("GET", f"/jobs/{job.id}/applications"),
    ]:
        response = await client.request(method, world.url(path))
        assert response.status_code == 404, (method, path)
    applying = await client.post(
        world.url("/applications"),
        json={"job_id": str(job.id), "candidate_id": str(world.candidates[0].id)},
    )
    assert applying.status_code == 422
    assert (await _application(db, theirs.id)).status == "active"
    assert owner.id != world.owner.id


async def test_job_stages_in_order(client: httpx.AsyncClient, world: World) -> None:
    await sign_in(client, world.owner.email)
    response = await client.get(world.url(f"/jobs/{world.job.id}/stages"))
    assert response.status_code == 200
    stages = response.json()
    assert [s["key"] for s in stages][:2] == ["applied", "screen"]
    assert [s["position"] for s in stages] == sorted(s["position"] for s in stages)
    assert {s["kind"] for s in stages} == {"active", "hired", "rejected"}
