"""`candidates.intake.receive_application`: matching the person, documents, consents, events,
linking to an account, and its refusals."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hireflow.candidates import intake
from hireflow.db import Database
from hireflow.documents.inspect import InspectedFile, inspect_document
from hireflow.errors import Conflict, NotFound
from hireflow.kit.clock import now
from hireflow.models import (
    Candidate,
    CandidateAccount,
    CandidateConsent,
    CandidateEvent,
    Job,
    JobStage,
)
from tests.careers.helpers import counts, pdf_bytes
from tests.factories.candidates import make_candidate
from tests.factories.jobs import make_job
from tests.factories.organizations import make_organization
from tests.factories.users import make_user

STATEMENT = "I agree that Initech processes my data for this application."


def _resume(*lines: str) -> InspectedFile:
    return inspect_document("cv.pdf", pdf_bytes(*lines), max_bytes=10_000_000)


async def test_a_new_applicant_becomes_a_candidate_in_the_first_stage(db: Database) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        job = await make_job(session, organization)
        application = await intake.receive_application(
            session,
            organization=organization,
            job=job,
            applicant=intake.Applicant("Grace Hopper", "grace@example.test", "(415) 555-0100"),
            resume=_resume("Grace Hopper", "Flowmatic"),
            cover_letter=inspect_document("letter.txt", b"Dear team", max_bytes=1000),
            consents=[intake.Consent("application_processing", STATEMENT)],
            user=None,
            source="careers_page",
        )
        candidate = await session.get(Candidate, application.candidate_id)
        assert candidate is not None
        stage = await session.get(JobStage, application.stage_id)
        consents = list(
            await session.scalars(
                select(CandidateConsent).where(CandidateConsent.organization_id == organization.id)
            )
        )
        events = [
            e.type
            for e in await session.scalars(
                select(CandidateEvent).where(CandidateEvent.candidate_id == candidate.id)
            )
        ]
    assert candidate is not None
    assert stage is not None
    assert (candidate.full_name, candidate.email, candidate.source) == (
        "Grace Hopper",
        "grace@example.test",
        "careers_page",
    )
    assert candidate.phone_normalized == "+14155550100"
    assert "Flowmatic" in candidate.resume_text
    assert stage.key == "applied"
    assert application.status == "active"
    assert [(c.purpose, c.statement, c.source) for c in consents] == [
        ("application_processing", STATEMENT, "careers_page")
    ]
    assert sorted(events) == sorted(
        ["created", "document_added", "document_added", "consent_given", "applied"]
    )
    assert (await counts(db, organization))["documents"] == 2


async def test_the_same_email_reuses_the_candidate_and_fills_only_empty_fields(
    db: Database,
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        first, second = await make_job(session, organization), await make_job(session, organization)
        existing = await make_candidate(
            session, organization, full_name="Grace B. Hopper", email="Grace@Example.test"
        )
        application = await intake.receive_application(
            session,
            organization=organization,
            job=second,
            applicant=intake.Applicant("Grace Hopper", "grace@example.TEST", "+44 20 7946 0000"),
            resume=_resume("Grace Hopper"),
            cover_letter=None,
            consents=[],
            user=None,
            source="careers_page",
        )
        again = await intake.receive_application(
            session,
            organization=organization,
            job=first,
            applicant=intake.Applicant("G. Hopper", "GRACE@example.test", "+1 415 555 0199"),
            resume=_resume("Grace Hopper"),
            cover_letter=None,
            consents=[],
            user=None,
            source="careers_page",
        )
        await session.refresh(existing)
    assert application.candidate_id == again.candidate_id == existing.id
    # The recruiter's name stays; the missing phone came from the first application.
    assert existing.full_name == "Grace B. Hopper"
    assert existing.phone == "+44 20 7946 0000"
    assert (await counts(db, organization))["candidates"] == 1


async def test_a_merged_record_is_followed_to_the_one_it_went_into(db: Database) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        job = await make_job(session, organization)
        kept = await make_candidate(session, organization, email="kept@example.test")
        await make_candidate(
            session,
            organization,
            email="old@example.test",
            merged_into_id=kept.id,
            merged_at=now(),
        )
        application = await intake.receive_application(
            session,
            organization=organization,
            job=job,
            applicant=intake.Applicant("Ada", "old@example.test"),
            resume=_resume("Ada"),
            cover_letter=None,
            consents=[],
            user=None,
            source="careers_page",
        )
    assert application.candidate_id == kept.id


async def test_a_signed_in_candidate_is_linked_and_their_profile_copied(db: Database) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        job = await make_job(session, organization)
        user = await make_user(session, email="linus@example.test", name="Linus")
        session.add(
            CandidateAccount(
                user_id=user.id,
                headline="Kernel hacker",
                skills=[{"name": "C", "level": 5, "years": 30}],
            )
        )
        await session.flush()
        application = await intake.receive_application(
            session,
            organization=organization,
            job=job,
            applicant=intake.Applicant("Linus", user.email),
            resume=_resume("Linus"),
            cover_letter=None,
            consents=[],
            user=user,
            source="portal",
        )
        candidate = await session.get(Candidate, application.candidate_id)
    assert candidate is not None
    assert candidate.user_id == user.id
    assert candidate.headline == "Kernel hacker"
    assert candidate.skills == [{"name": "C", "level": 5, "years": 30}]
    assert application.source == "portal"


@pytest.mark.parametrize("status", ["draft", "on_hold", "closed", "archived"])
async def test_a_job_that_is_not_open_is_not_found(db: Database, status: str) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        job = await make_job(session, organization, status=status)
        with pytest.raises(NotFound):
            await intake.receive_application(
                session,
                organization=organization,
                job=job,
                applicant=intake.Applicant("Ada", "ada@example.test"),
                resume=_resume("Ada"),
                cover_letter=None,
                consents=[],
                user=None,
                source="careers_page",
            )


async def test_another_organizations_job_and_a_second_application_are_refused(
    db: Database,
) -> None:
    async with db.transaction() as session:
        mine, theirs = await make_organization(session), await make_organization(session)
        their_job = await make_job(session, theirs)
        job = await make_job(session, mine)
        resume = _resume("Ada")

        async def apply(job: Job) -> None:
            await intake.receive_application(
                session,
                organization=mine,
                job=job,
                applicant=intake.Applicant("Ada", "ada@example.test"),
                resume=resume,
                cover_letter=None,
                consents=[],
                user=None,
                source="careers_page",
            )

        with pytest.raises(NotFound):
            await apply(their_job)
        await apply(job)
        with pytest.raises(Conflict, match="You have already applied to this job"):
            await apply(job)
