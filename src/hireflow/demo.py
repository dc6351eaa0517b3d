"""Demo data: loaded by `make run` and `hireflow demo`; running it again changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.kit.clock import now
from hireflow.kit.passwords import hash_password, verify_password
from hireflow.library.starter import load_starter
from hireflow.models import (
    Application,
    ApplicationEvent,
    Candidate,
    Job,
    JobAssignment,
    JobStage,
    JobVersion,
    Organization,
    User,
)
from hireflow.organizations import repository as organizations
from hireflow.users import repository as users
from hireflow.users.service import ensure_platform_admin

ORGANIZATIONS = [("Acme Robotics", "acme"), ("Globex Health", "globex")]
ADMIN_EMAIL = "admin@hireflow.test"
# (email, name, organization slug, role key)
MEMBERS = [
    ("owner@acme.test", "Olivia Owner", "acme", "owner"),
    ("manager@acme.test", "Hugo Manager", "acme", "hiring_manager"),
    ("recruiter@acme.test", "Rita Recruiter", "acme", "recruiter"),
    ("interviewer@acme.test", "Ivan Interviewer", "acme", "interviewer"),
    ("owner@globex.test", "Gloria Owner", "globex", "owner"),
]


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str


async def _user(session: AsyncSession, email: str, name: str, password: str) -> User:
    user = await users.get_by_email(session, email)
    if user is None:
        user = User(
            email=email, name=name, password_hash=hash_password(password), email_verified_at=now()
        )
        session.add(user)
        await session.flush()
    elif not user.password_hash or not verify_password(user.password_hash, password):
        user.password_hash = hash_password(password)
    return user


async def load_demo_data(session: AsyncSession, password: str) -> list[DemoLogin]:
    by_slug = {}
    for name, slug in ORGANIZATIONS:
        by_slug[slug] = await organizations.upsert(session, name=name, slug=slug)
    admin = await users.get_by_email(session, ADMIN_EMAIL)
    # Re-hashing on every run would change the row; only (re)set a password that differs.
    if (
        admin is None
        or not admin.password_hash
        or not verify_password(admin.password_hash, password)
    ):
        await ensure_platform_admin(
            session, email=ADMIN_EMAIL, name="Platform Admin", password=password
        )
    logins = [DemoLogin("platform admin", ADMIN_EMAIL, password)]
    for email, name, slug, role_key in MEMBERS:
        user = await _user(session, email, name, password)
        organization = by_slug[slug]
        if await organizations.membership_of(session, user.id, organization.id) is None:
            role = await organizations.system_role(session, role_key)
            await organizations.add_member(
                session, organization_id=organization.id, user_id=user.id, role_id=role.id
            )
        logins.append(DemoLogin(f"{role_key.replace('_', ' ')}, {slug}", email, password))
    await _load_hiring_demo(session, by_slug["acme"])
    # The starter question library, approved (only into an empty library).
    owner = await users.get_by_email(session, "owner@acme.test")
    await load_starter(session, by_slug["acme"].id, user_id=owner.id if owner else None)
    return logins


# (title, status, department, skills, remote policy)
DEMO_JOBS = [
    ("Backend Engineer", "open", "Engineering", ["Python", "PostgreSQL", "FastAPI"], "remote"),
    ("Product Designer", "open", "Design", ["Figma", "User research"], "hybrid"),
    ("Robotics Technician", "draft", "Operations", ["Electronics", "Maintenance"], "onsite"),
]
# (name, email, phone, headline, skills, resume text, job index, stage key)
DEMO_CANDIDATES = [
    (
        "Grace Hopper",
        "grace.hopper@example.test",
        "+1 415 555 0101",
        "Compiler engineer",
        ["Python", "COBOL"],
        "Built compilers and language tooling; led teams; loves PostgreSQL query planning.",
        0,
        "interview",
    ),
    (
        "Alan Turing",
        "alan.turing@example.test",
        "+44 20 7946 0001",
        "Backend engineer",
        ["Python", "Cryptography"],
        "Distributed systems, cryptanalysis, and a keen interest in machine intelligence.",
        0,
        "screen",
    ),
    (
        "Katherine Johnson",
        "katherine.johnson@example.test",
        "+1 757 555 0102",
        "Data engineer",
        ["PostgreSQL", "Orbital mechanics"],
        "Trajectory analysis and numerical methods; careful reviewer of calculations.",
        0,
        "applied",
    ),
    (
        "Dieter Rams",
        "dieter.rams@example.test",
        "+49 30 555 0103",
        "Industrial designer",
        ["Figma", "User research"],
        "Less, but better: product design with a focus on honest, durable interfaces.",
        1,
        "offer",
    ),
]


async def _load_hiring_demo(session: AsyncSession, organization: Organization) -> None:
    """A few jobs, candidates and applications for Acme (only into an organization with no
    jobs yet, so running the demo again changes nothing)."""
    from sqlalchemy import func, select

    from hireflow.applications.service import create_application
    from hireflow.applications.stages import create_job_stages
    from hireflow.candidates.normalize import normalize_phone

    if await session.scalar(
        select(func.count(Job.id)).where(Job.organization_id == organization.id)
    ):
        return
    jobs = []
    for title, status, department, skills, remote in DEMO_JOBS:
        job = Job(
            organization_id=organization.id,
            title=title,
            status=status,
            department=department,
            skills=skills,
            remote_policy=remote,
            location="Berlin",
            description_html=f"<p>Join Acme Robotics as a {title}.</p>",
            opened_at=now() if status == "open" else None,
        )
        session.add(job)
        await session.flush()
        await create_job_stages(session, job)
        session.add(
            JobVersion(
                organization_id=organization.id,
                job_id=job.id,
                number=1,
                snapshot={"title": title, "description_html": job.description_html},
                summary="Created",
            )
        )
        jobs.append(job)
    recruiter = await users.get_by_email(session, "recruiter@acme.test")
    if recruiter is not None:
        session.add(
            JobAssignment(organization_id=organization.id, job_id=jobs[0].id, user_id=recruiter.id)
        )
    applications: list[Application] = []
    for name, email, phone, headline, skills, resume, job_index, stage_key in DEMO_CANDIDATES:
        candidate = Candidate(
            organization_id=organization.id,
            full_name=name,
            email=email,
            phone=phone,
            phone_normalized=normalize_phone(phone),
            headline=headline,
            source="careers_page",
            skills=[{"name": skill, "level": 4, "years": 5} for skill in skills],
            resume_text=resume,
        )
        session.add(candidate)
        await session.flush()
        job = jobs[job_index]
        application = await create_application(
            session, job=job, candidate_id=candidate.id, source="careers_page", actor_user_id=None
        )
        stage = await session.scalar(
            select(JobStage).where(JobStage.job_id == job.id, JobStage.key == stage_key)
        )
        if stage is not None and stage.id != application.stage_id:
            session.add(
                ApplicationEvent(
                    organization_id=organization.id,
                    application_id=application.id,
                    type="moved",
                    from_stage_id=application.stage_id,
                    to_stage_id=stage.id,
                    seconds_in_stage=0,
                )
            )
            application.stage_id = stage.id
        applications.append(application)
    await session.flush()
    await _load_interview_demo(session, organization, applications[:2])


DEMO_ANSWERS = [
    "At my last company I led the move of our billing jobs from cron scripts to a queue on "
    "PostgreSQL. I wrote the plan, paired with the on-call team, and we measured failures "
    "before and after: retries dropped from 40 a week to 2, and nobody was paged at night.",
    "I used Python for a data pipeline that loads 2 million rows a day. I profiled it, replaced "
    "row-by-row inserts with COPY and added tests for the edge cases; it went from 40 to 6 "
    "minutes.",
]


async def _load_interview_demo(
    session: AsyncSession, organization: Organization, applications: list[Application]
) -> None:
    """Two AI interview sessions: one completed and scored, one waiting for its candidate."""
    from hireflow.ai_interviews import service as interviews
    from hireflow.ai_interviews.schemas import SessionCreate
    from hireflow.audit.service import Origin
    from hireflow.authz.context import Ctx, permissions_of
    from hireflow.config import get_settings

    manager = await users.get_by_email(session, "manager@acme.test")
    found = manager and await organizations.membership_of(session, manager.id, organization.id)
    if manager is None or not isinstance(found, tuple) or len(applications) < 2:
        return
    membership, _, role = found
    ctx = Ctx(manager, organization, membership, role, permissions_of(role))
    settings = get_settings()
    origin = Origin(ip=None, user_agent="hireflow demo")
    done, _, invite = await interviews.configure_session(
        session,
        ctx,
        SessionCreate(
            target_role="Backend Engineer",
            application_id=applications[0].id,
            question_count=3,
            recruiter_notes="Referred by the platform team; check on-call experience.",
        ),
        None,
        origin=origin,
        settings=settings,
    )
    await interviews.record_opening(session, done, invite)
    await interviews.give_consent(session, done, ai_evaluation=True)
    await interviews.start(session, done, settings)
    for i in range(12):
        current = done.state["current"]
        if done.status != "IN_PROGRESS" or current is None:
            break
        question = done.state["questions"][current]
        text = DEMO_ANSWERS[i % len(DEMO_ANSWERS)]
        if question["kind"] == "coding":
            text = question.get("starter_code") or "def solve():\n    return None\n"
        await interviews.answer(session, done, question["id"], text, settings)
    await interviews.score_session(session, done.id, settings)
    await interviews.configure_session(
        session,
        ctx,
        SessionCreate(
            target_role="Backend Engineer",
            application_id=applications[1].id,
            coding_language="python",
            stage="technical",
        ),
        None,
        origin=origin,
        settings=settings,
    )
