"""The public careers API: open jobs, one posting, and applying (multipart)."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import delete, select

from hireflow.careers.service import APPLICATIONS_PER_EMAIL, APPLICATIONS_PER_IP
from hireflow.db import Database
from hireflow.models import Application, Candidate, CandidateConsent, JobStage, ThrottleHit
from tests.careers.helpers import (
    PNG,
    PROCESSING,
    TALENT_POOL,
    application_fields,
    counts,
    pdf_bytes,
    post_application,
    resume_file,
)
from tests.factories.jobs import make_job
from tests.factories.organizations import make_organization

PUBLIC = "/api/v1/public/organizations"
SUMMARY_KEYS = {
    "id",
    "title",
    "department",
    "location",
    "remote_policy",
    "employment_type",
    "posted_at",
}


async def test_the_list_shows_only_open_jobs_with_public_fields(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session, name="Acme")
        other = await make_organization(session)
        open_job = await make_job(session, organization, title="Welder", department="Plant")
        for status in ("draft", "on_hold", "closed", "archived"):
            await make_job(session, organization, title=f"Hidden {status}", status=status)
        await make_job(session, other, title="Elsewhere")
    response = await client.get(f"{PUBLIC}/{organization.slug}/jobs")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["organization"] == {"name": "Acme", "slug": organization.slug}
    assert [item["title"] for item in body["items"]] == ["Welder"]
    assert set(body["items"][0]) == SUMMARY_KEYS
    assert body["items"][0]["id"] == str(open_job.id)
    assert body["next_cursor"] is None


async def test_filters_and_pagination_walk_every_job_once(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        for n in range(7):
            await make_job(
                session,
                organization,
                title=f"Engineer {n}",
                department="R&D" if n % 2 else "Sales",
                remote_policy="remote" if n < 3 else "onsite",
            )
    url = f"{PUBLIC}/{organization.slug}/jobs"
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": "3", **({"cursor": cursor} if cursor else {})}
        body = (await client.get(url, params=params)).json()
        seen += [item["title"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == [f"Engineer {n}" for n in range(7)]
    assert len(set(seen)) == 7

    departments = (await client.get(url, params={"department": "r&d"})).json()["items"]
    assert {item["department"] for item in departments} == {"R&D"}
    assert len(departments) == 3
    remote = (await client.get(url, params={"remote": "remote"})).json()["items"]
    assert sorted(item["title"] for item in remote) == ["Engineer 0", "Engineer 1", "Engineer 2"]
    searched = (await client.get(url, params={"q": "engineer 4"})).json()["items"]
    assert [item["title"] for item in searched] == ["Engineer 4"]
    bad_remote = await client.get(url, params={"remote": "moon"})
    assert bad_remote.status_code == 422
    bad_cursor = await client.get(url, params={"cursor": "not-a-cursor"})
    assert bad_cursor.status_code == 422


async def test_unknown_slugs_and_jobs_that_are_not_open_are_404(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        other = await make_organization(session)
        closed = await make_job(session, organization, status="closed")
        draft = await make_job(session, organization, status="draft")
        theirs = await make_job(session, other)
    assert (await client.get(f"{PUBLIC}/no-such-org/jobs")).status_code == 404
    assert (await client.get(f"{PUBLIC}/%7Bslug%7D/jobs")).status_code == 404
    for job in (closed, draft, theirs):
        response = await client.get(f"{PUBLIC}/{organization.slug}/jobs/{job.id}")
        assert response.status_code == 404, response.text
    assert (
        await client.get(f"{PUBLIC}/{organization.slug}/jobs/{uuid.uuid4()}")
    ).status_code == 404


async def test_a_posting_shows_its_content_salary_and_consents(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session, name="Acme")
        job = await make_job(
            session,
            organization,
            title="Welder",
            description_html="<p>Join <strong>us</strong>.</p>",
            salary_min=50000,
            salary_max=60000,
            salary_currency="EUR",
        )
    response = await client.get(f"{PUBLIC}/{organization.slug}/jobs/{job.id}")
    assert response.status_code == 200
    body = response.json()
    assert body["description_html"] == "<p>Join <strong>us</strong>.</p>"
    assert (body["salary_min"], body["salary_max"], body["salary_currency"]) == (
        50000,
        60000,
        "EUR",
    )
    assert [(c["purpose"], c["required"]) for c in body["consents"]] == [
        (PROCESSING, True),
        (TALENT_POOL, False),
    ]
    assert "Acme" in body["consents"][0]["statement"]
    assert "headcount" not in body
    assert "created_by_user_id" not in body


async def test_applying_with_a_pdf_creates_the_candidate_and_the_application(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session, name="Acme")
        job = await make_job(session, organization, title="Welder")
    fields = application_fields(email="Grace@Example.test", consents=(PROCESSING, TALENT_POOL))
    files = {
        **resume_file(pdf_bytes("Grace Hopper", "Zymurgy expert")),
        "cover_letter": ("letter.txt", b"Dear Acme, hire me.", "text/plain"),
    }
    response = await post_application(client, organization, job, fields=fields, files=files)
    assert response.status_code == 201, response.text
    receipt = response.json()
    assert set(receipt) == {
        "application_id",
        "job_title",
        "organization_name",
        "status",
        "applied_at",
    }
    assert (receipt["job_title"], receipt["organization_name"], receipt["status"]) == (
        "Welder",
        "Acme",
        "active",
    )
    async with db.transaction() as session:
        application = await session.get(Application, uuid.UUID(receipt["application_id"]))
        assert application is not None
        candidate = await session.get(Candidate, application.candidate_id)
        stage = await session.get(JobStage, application.stage_id)
        consents = list(
            await session.scalars(
                select(CandidateConsent)
                .where(CandidateConsent.organization_id == organization.id)
                .order_by(CandidateConsent.purpose)
            )
        )
    assert candidate is not None
    assert stage is not None
    assert candidate.email == "Grace@example.test"  # the domain is lowercased
    assert candidate.source == "careers_page"
    assert application.source == "careers_page"
    assert "Zymurgy" in candidate.resume_text
    assert stage.key == "applied"
    assert [c.purpose for c in consents] == [PROCESSING, TALENT_POOL]
    job_page = (await client.get(f"{PUBLIC}/{organization.slug}/jobs/{job.id}")).json()
    shown = {c["purpose"]: c["statement"] for c in job_page["consents"]}
    assert [c.statement for c in consents] == [shown[PROCESSING], shown[TALENT_POOL]]
    assert (await counts(db, organization))["documents"] == 2


async def test_a_second_application_with_the_same_email_reuses_the_candidate(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        first, second = await make_job(session, organization), await make_job(session, organization)
    ok = await post_application(
        client, organization, first, fields=application_fields(email="ada@example.test")
    )
    again = await post_application(
        client, organization, second, fields=application_fields(email="ADA@example.test")
    )
    assert ok.status_code == again.status_code == 201
    assert (await counts(db, organization))["candidates"] == 1
    assert (await counts(db, organization))["applications"] == 2
    twice = await post_application(
        client, organization, first, fields=application_fields(email="ada@example.test")
    )
    assert twice.status_code == 409
    assert twice.json()["detail"] == "You have already applied to this job."
    assert (await counts(db, organization))["applications"] == 2


@pytest.mark.parametrize(
    ("fields", "files", "status", "field"),
    [
        pytest.param({}, {"resume": ("cv.png", PNG, "image/png")}, 422, "resume", id="png"),
        pytest.param(
            {},
            {"resume": ("cv.pdf", b"\x7fELF" + b"\x00" * 200, "application/pdf")},
            422,
            "resume",
            id="renamed-binary",
        ),
        pytest.param({}, {"resume": ("cv.txt", b"", "text/plain")}, 422, "resume", id="no-resume"),
        pytest.param({}, {}, 422, "resume", id="missing-resume"),
        pytest.param({"consent": []}, None, 422, "consent", id="missing-consent"),
        pytest.param({"consent": [TALENT_POOL]}, None, 422, "consent", id="only-optional"),
        pytest.param({"consent": [PROCESSING, "sell"]}, None, 422, "consent", id="unknown"),
        pytest.param({"full_name": " "}, None, 422, None, id="no-name"),
        pytest.param({"email": "not-an-email"}, None, 422, None, id="bad-email"),
        pytest.param({"phone": "call me maybe"}, None, 422, None, id="bad-phone"),
    ],
)
async def test_bad_applications_change_nothing(
    client: httpx.AsyncClient,
    db: Database,
    fields: dict[str, object],
    files: dict[str, tuple[str, bytes, str]] | None,
    status: int,
    field: str | None,
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        job = await make_job(session, organization)
    before = await counts(db, organization)
    response = await client.post(
        f"{PUBLIC}/{organization.slug}/jobs/{job.id}/applications",
        data={**application_fields(), **fields},
        files=files if files is not None else resume_file(),
    )
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    if field is not None:
        assert response.json().get("field") == field, response.json()
    assert await counts(db, organization) == before


async def test_an_oversized_resume_is_413_and_changes_nothing(
    client: httpx.AsyncClient, db: Database, app: object
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        job = await make_job(session, organization)
    limit = client._transport.app.state.settings.max_document_bytes  # type: ignore[attr-defined]
    big = b"a" * (limit + 1)
    response = await post_application(
        client, organization, job, files={"resume": ("cv.txt", big, "text/plain")}
    )
    assert response.status_code == 413, response.text
    assert (await counts(db, organization))["applications"] == 0


async def test_closed_jobs_take_no_applications(client: httpx.AsyncClient, db: Database) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        closed = await make_job(session, organization, status="closed")
        other = await make_organization(session)
        theirs = await make_job(session, other)
    assert (await post_application(client, organization, closed)).status_code == 404
    assert (await post_application(client, organization, theirs)).status_code == 404
    assert (await counts(db, organization))["applications"] == 0
    assert (await counts(db, other))["applications"] == 0


async def test_applications_are_throttled_per_email(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        jobs = [await make_job(session, organization) for _ in range(APPLICATIONS_PER_EMAIL + 1)]
    text = {"resume": ("cv.txt", b"Plain resume", "text/plain")}
    for job in jobs[:-1]:
        response = await post_application(
            client, organization, job, fields=application_fields(email="x@example.test"), files=text
        )
        assert response.status_code == 201, response.text
    refused = await post_application(
        client,
        organization,
        jobs[-1],
        fields=application_fields(email="x@example.test"),
        files=text,
    )
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0
    assert (await counts(db, organization))["applications"] == APPLICATIONS_PER_EMAIL


async def test_applications_are_throttled_per_ip(client: httpx.AsyncClient, db: Database) -> None:
    async with db.transaction() as session:
        # The browser tests' server commits its own hits for this loopback address.
        await session.execute(delete(ThrottleHit).where(ThrottleHit.key.like("apply:ip:%")))
        organization = await make_organization(session)
        job = await make_job(session, organization)
    text = {"resume": ("cv.txt", b"Plain resume", "text/plain")}
    for _ in range(APPLICATIONS_PER_IP):
        response = await post_application(client, organization, job, files=text)
        assert response.status_code == 201, response.text
    refused = await post_application(client, organization, job, files=text)
    assert refused.status_code == 429
    assert (await counts(db, organization))["applications"] == APPLICATIONS_PER_IP
