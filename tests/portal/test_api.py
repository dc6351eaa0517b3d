"""The portal API (`/api/v1/me/…`): profile (passed on to linked records), applications,
documents and saved jobs — and nothing recruiters keep to themselves."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from hireflow.db import Database
from hireflow.documents.inspect import inspect_document
from hireflow.documents.service import store_document
from hireflow.models import (
    ApplicationFeedback,
    ApplicationNote,
    Candidate,
    CandidateAccount,
    CandidateConsent,
    CandidateEvent,
    Document,
    SavedJob,
)
from tests.careers.helpers import PNG, pdf_bytes, post_application
from tests.factories.applications import make_application
from tests.factories.candidates import make_candidate
from tests.factories.jobs import make_job
from tests.factories.organizations import make_organization
from tests.factories.users import make_member
from tests.portal.helpers import make_candidate_user, signed_in

ME = "/api/v1/me"
PROFILE = {
    "headline": "Compiler engineer",
    "phone": "+1 415 555 0100",
    "location": "Arlington",
    "summary": "Wrote the first compiler.",
    "links": ["https://example.test/grace"],
    "skills": [{"name": "COBOL", "level": 5, "years": 40}, {"name": "cobol", "level": 1}],
    "experience": [{"title": "Rear admiral", "company": "US Navy", "start_on": "1943-01-01"}],
    "education": [{"institution": "Yale", "degree": "PhD", "field": "Mathematics"}],
}
RECRUITER_ONLY = {
    "notes",
    "note",
    "score",
    "selected",
    "feedback",
    "rejection_reason",
    "tags",
    "source",
    "ratings",
    "resume_text",
}


def keys_of(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_of(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_of(v)}
    return set()


async def test_the_profile_starts_empty_and_put_replaces_it(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        user = await make_candidate_user(session, name="Grace Hopper")
    await signed_in(client, user)
    empty = (await client.get(f"{ME}/candidate-profile")).json()
    assert empty["name"] == "Grace Hopper"
    assert empty["skills"] == []
    assert empty["headline"] is None
    response = await client.put(f"{ME}/candidate-profile", json=PROFILE)
    assert response.status_code == 200, response.text
    body = response.json()
    # Skills are deduplicated without case; the first one stays.
    assert body["skills"] == [{"name": "COBOL", "level": 5, "years": 40.0}]
    assert body["experience"][0]["start_on"] == "1943-01-01"
    assert (await client.get(f"{ME}/candidate-profile")).json()["headline"] == "Compiler engineer"


@pytest.mark.parametrize(
    "change",
    [
        {"skills": [{"name": "C", "level": 9}]},
        {"skills": [{"name": "C", "years": -1}]},
        {"experience": [{"title": "X", "start_on": "2020-01-01", "end_on": "2019-01-01"}]},
        {"education": [{"institution": ""}]},
        {"links": ["javascript:alert(1)"]},
        {"headline": "x" * 201},
        {"organization_id": str(uuid.uuid4())},
        {"skills": [{"name": "C", "secret": True}]},
    ],
)
async def test_a_bad_profile_is_422_and_changes_nothing(
    client: httpx.AsyncClient, db: Database, change: dict[str, Any]
) -> None:
    async with db.transaction() as session:
        user = await make_candidate_user(session, headline="Before")
    await signed_in(client, user)
    response = await client.put(f"{ME}/candidate-profile", json={**PROFILE, **change})
    assert response.status_code == 422, response.text
    async with db.transaction() as session:
        account = await session.get(CandidateAccount, user.id)
    assert account is not None
    assert account.headline == "Before"
    assert account.skills == []


async def test_profile_edits_are_passed_on_to_linked_records(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        user = await make_candidate_user(session)
        first, second = await make_organization(session), await make_organization(session)
        linked = await make_candidate(
            session, first, email=user.email, user_id=user.id, headline="Old", tags=["vip"]
        )
        elsewhere = await make_candidate(session, second, email=user.email, user_id=user.id)
        stranger = await make_candidate(session, first, headline="Untouched")
    await signed_in(client, user)
    response = await client.put(
        f"{ME}/candidate-profile", json={"headline": "New headline", "phone": "(415) 555-0100"}
    )
    assert response.status_code == 200
    async with db.transaction() as session:
        rows = {
            c.id: c
            for c in await session.scalars(
                select(Candidate).where(Candidate.id.in_([linked.id, elsewhere.id, stranger.id]))
            )
        }
        events = list(
            await session.scalars(
                select(CandidateEvent).where(
                    CandidateEvent.type == "updated_by_candidate",
                    CandidateEvent.candidate_id.in_([linked.id, elsewhere.id, stranger.id]),
                )
            )
        )
    assert rows[linked.id].headline == rows[elsewhere.id].headline == "New headline"
    assert rows[linked.id].phone_normalized == "+14155550100"
    assert rows[linked.id].tags == ["vip"]  # what the recruiter keeps is not touched
    # Only the fields that changed are passed on: the recruiter's skills stay.
    assert rows[linked.id].skills == [{"name": "Python", "level": 4, "years": 5}]
    assert rows[stranger.id].headline == "Untouched"
    assert {e.candidate_id for e in events} == {linked.id, elsewhere.id}
    assert all(set(e.data["fields"]) == {"headline", "phone"} for e in events)


async def test_my_applications_show_stage_and_status_and_link_my_records(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session, name="Acme")
        job = await make_job(session, organization, title="Welder")
        user = await make_candidate_user(session, email="grace@example.test")
        # Applied before the account existed, with the same (confirmed) address.
        earlier = await make_candidate(session, organization, email="GRACE@example.test")
        application = await make_application(session, job, earlier)
        other_person = await make_candidate(session, organization, email="ada@example.test")
        await make_application(session, job, other_person)
    await signed_in(client, user)
    response = await client.get(f"{ME}/applications")
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [
        (i["id"], i["job_title"], i["organization_name"], i["stage"], i["status"]) for i in items
    ] == [(str(application.id), "Welder", "Acme", "Applied", "active")]
    async with db.transaction() as session:
        refreshed = await session.get(Candidate, earlier.id)
        linked_events = await session.scalar(
            select(func.count())
            .select_from(CandidateEvent)
            .where(
                CandidateEvent.candidate_id == earlier.id,
                CandidateEvent.type == "linked_to_account",
            )
        )
    assert refreshed is not None
    assert refreshed.user_id == user.id
    assert linked_events == 1
    assert (await client.get(f"{ME}/applications", params={"cursor": "nope"})).status_code == 422


async def test_no_recruiter_only_field_reaches_the_candidate(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session, name="Acme")
        owner, _ = await make_member(session, organization, role="owner")
        job = await make_job(session, organization, title="Welder")
        user = await make_candidate_user(session)
        candidate = await make_candidate(
            session,
            organization,
            email=user.email,
            user_id=user.id,
            tags=["secret-tag"],
            source="referral",
        )
        application = await make_application(session, job, candidate, source="referral")
        application.score = 87
        application.selected = True
        application.status = "rejected"
        application.rejection_reason = "SECRET-REASON"
        session.add(
            ApplicationNote(
                organization_id=organization.id,
                application_id=application.id,
                author_user_id=owner.id,
                body="SECRET-NOTE",
            )
        )
        session.add(
            ApplicationFeedback(
                organization_id=organization.id,
                application_id=application.id,
                author_user_id=owner.id,
                overall=2,
                comment="SECRET-FEEDBACK",
            )
        )
        session.add(
            CandidateConsent(
                organization_id=organization.id,
                candidate_id=candidate.id,
                purpose="talent_pool",
                statement="Keep me in Acme's talent pool.",
                source="referral",
            )
        )
        await session.flush()
        session.add(SavedJob(user_id=user.id, job_id=job.id))
    await signed_in(client, user)
    responses = [
        await client.get(f"{ME}/applications"),
        await client.get(f"{ME}/consents"),
        await client.get(f"{ME}/candidate-profile"),
        await client.get(f"{ME}/documents"),
        await client.get(f"{ME}/saved-jobs"),
        await client.get(f"/api/v1/public/organizations/{organization.slug}/jobs"),
        await client.get(f"/api/v1/public/organizations/{organization.slug}/jobs/{job.id}"),
    ]
    pages = [
        await client.get("/portal", headers={"accept": "text/html"}),
        await client.get(f"/careers/{organization.slug}", headers={"accept": "text/html"}),
        await client.get(
            f"/careers/{organization.slug}/jobs/{job.id}", headers={"accept": "text/html"}
        ),
    ]
    for response in responses:
        assert response.status_code == 200, response.text
        assert not keys_of(response.json()) & RECRUITER_ONLY, response.json()
    assert responses[0].json()["items"][0]["status"] == "rejected"
    assert [c["purpose"] for c in responses[1].json()] == ["talent_pool"]
    for response in [*responses, *pages]:
        assert response.status_code == 200
        for secret in (
            "SECRET-REASON",
            "SECRET-NOTE",
            "SECRET-FEEDBACK",
            "secret-tag",
            "referral",
        ):
            assert secret not in response.text, (response.url, secret)


async def test_documents_upload_list_download_delete(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        user = await make_candidate_user(session)
    await signed_in(client, user)
    pdf = pdf_bytes("My resume")
    created = await client.post(
        f"{ME}/documents", files={"file": ("cv.pdf", pdf, "text/plain")}, data={"kind": "resume"}
    )
    assert created.status_code == 201, created.text
    document = created.json()
    assert document["content_type"] == "application/pdf"
    assert document["kind"] == "resume"
    assert [d["id"] for d in (await client.get(f"{ME}/documents")).json()] == [document["id"]]
    download = await client.get(f"{ME}/documents/{document['id']}")
    assert download.status_code == 200
    assert download.content == pdf
    assert download.headers["content-disposition"].startswith("attachment")
    assert (await client.delete(f"{ME}/documents/{document['id']}")).status_code == 204
    assert (await client.get(f"{ME}/documents/{document['id']}")).status_code == 404
    assert (await client.delete(f"{ME}/documents/{document['id']}")).status_code == 404


@pytest.mark.parametrize(
    ("files", "data", "status"),
    [
        ({"file": ("cv.png", PNG, "image/png")}, {"kind": "resume"}, 422),
        ({"file": ("cv.txt", b"ok", "text/plain")}, {"kind": "passport"}, 422),
        (None, {"kind": "resume"}, 422),
    ],
)
async def test_bad_documents_are_refused_and_nothing_is_stored(
    client: httpx.AsyncClient,
    db: Database,
    files: dict[str, tuple[str, bytes, str]] | None,
    data: dict[str, str],
    status: int,
) -> None:
    async with db.transaction() as session:
        user = await make_candidate_user(session)
    await signed_in(client, user)
    response = await client.post(f"{ME}/documents", files=files, data=data)
    assert response.status_code == status, response.text
    async with db.transaction() as session:
        stored = await session.scalar(
            select(func.count()).select_from(Document).where(Document.user_id == user.id)
        )
    assert stored == 0


async def test_other_peoples_documents_are_404(client: httpx.AsyncClient, db: Database) -> None:
    async with db.transaction() as session:
        me = await make_candidate_user(session)
        someone = await make_candidate_user(session)
        organization = await make_organization(session)
        candidate = await make_candidate(session, organization)
        text = inspect_document("cv.txt", b"Private", max_bytes=1000)
        theirs = await store_document(session, text, kind="resume", user_id=someone.id)
        org_document = await store_document(
            session, text, kind="resume", organization_id=organization.id, candidate_id=candidate.id
        )
    await signed_in(client, me)
    for document in (theirs, org_document):
        assert (await client.get(f"{ME}/documents/{document.id}")).status_code == 404
        assert (await client.delete(f"{ME}/documents/{document.id}")).status_code == 404
    async with db.transaction() as session:
        assert await session.get(Document, theirs.id) is not None


async def test_saved_jobs(client: httpx.AsyncClient, db: Database) -> None:
    async with db.transaction() as session:
        user = await make_candidate_user(session)
        organization = await make_organization(session, name="Acme")
        job = await make_job(session, organization, title="Welder")
        closed = await make_job(session, organization, status="closed")
    await signed_in(client, user)
    saved = await client.post(f"{ME}/saved-jobs", json={"job_id": str(job.id)})
    assert saved.status_code == 201, saved.text
    assert saved.json()["title"] == "Welder"
    assert saved.json()["open"] is True
    again = await client.post(f"{ME}/saved-jobs", json={"job_id": str(job.id)})
    assert again.status_code == 201
    listed = (await client.get(f"{ME}/saved-jobs")).json()
    assert [(s["job_id"], s["organization_name"]) for s in listed] == [(str(job.id), "Acme")]
    assert (
        await client.post(f"{ME}/saved-jobs", json={"job_id": str(closed.id)})
    ).status_code == 404
    assert (await client.post(f"{ME}/saved-jobs", json={"job_id": "x"})).status_code == 422
    assert (
        await client.post(f"{ME}/saved-jobs", json={"job_id": str(job.id), "user_id": str(user.id)})
    ).status_code == 422
    assert (await client.delete(f"{ME}/saved-jobs/{job.id}")).status_code == 204
    assert (await client.delete(f"{ME}/saved-jobs/{job.id}")).status_code == 404
    assert (await client.get(f"{ME}/saved-jobs")).json() == []


async def test_the_portal_api_needs_a_signed_in_user(client: httpx.AsyncClient) -> None:
    for path in ("/candidate-profile", "/applications", "/documents", "/saved-jobs"):
        assert (await client.get(ME + path)).status_code == 401


async def test_signed_in_api_applications_are_linked_to_the_account(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        job = await make_job(session, organization)
        user = await make_candidate_user(session, headline="From my profile")
    await signed_in(client, user)
    response = await post_application(
        client,
        organization,
        job,
        fields={"full_name": "Casey", "consent": ["application_processing"]},
    )
    assert response.status_code == 201, response.text
    async with db.transaction() as session:
        candidate = await session.scalar(
            select(Candidate).where(Candidate.organization_id == organization.id)
        )
    assert candidate is not None
    assert (candidate.user_id, candidate.email, candidate.headline, candidate.source) == (
        user.id,
        user.email,
        "From my profile",
        "portal",
    )
    mine = (await client.get(f"{ME}/applications")).json()["items"]
    assert [i["stage"] for i in mine] == ["Applied"]


async def test_other_organizations_ids_are_404_as_the_tenant_walk_sends_them(
    client: httpx.AsyncClient, db: Database
) -> None:
    """What `tests/authz/test_tenant_isolation.py` does to these routes: another organization's
    ids, a literal `{slug}`, and an empty JSON body."""
    async with db.transaction() as session:
        mine = await make_organization(session)
        me, _ = await make_member(session, mine, role="owner")
        theirs = await make_organization(session, name="Theirs")
        their_job = await make_job(session, theirs)
        candidate = await make_candidate(session, theirs)
        text = inspect_document("cv.txt", b"Theirs", max_bytes=1000)
        their_document = await store_document(
            session, text, kind="resume", organization_id=theirs.id, candidate_id=candidate.id
        )
    await signed_in(client, me)
    public = "/api/v1/public/organizations/{slug}/jobs/" + str(their_job.id)
    for method, url in (
        ("GET", public),
        ("POST", public + "/applications"),
        ("GET", f"{ME}/documents/{their_document.id}"),
        ("DELETE", f"{ME}/documents/{their_document.id}"),
        ("DELETE", f"{ME}/saved-jobs/{their_job.id}"),
    ):
        response = await client.request(method, url, json={} if method != "GET" else None)
        assert response.status_code == 404, (method, url, response.text)
        assert "Theirs" not in response.text
