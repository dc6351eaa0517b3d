"""Portal rules: candidate accounts (registration with email confirmation), the profile and
passing its edits on to the organizations' records linked to the account, linking records
with the account's confirmed address, withdrawing an application or a consent, documents and
saved jobs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.applications import service as applications
from hireflow.audit import service as audit
from hireflow.audit.service import Origin
from hireflow.auth import one_time_tokens
from hireflow.auth.accounts import strong_password
from hireflow.candidates.normalize import normalize_phone
from hireflow.candidates.repository import add_event
from hireflow.careers.service import Upload
from hireflow.config import Settings
from hireflow.documents.inspect import inspect_upload
from hireflow.documents.service import store_document
from hireflow.errors import Conflict, Invalid, NotFound, TooManyRequests
from hireflow.kit import cursors, throttle
from hireflow.kit.clock import now
from hireflow.kit.passwords import hash_password
from hireflow.models import (
    Application,
    Candidate,
    CandidateAccount,
    CandidateConsent,
    Document,
    Job,
    Organization,
    SavedJob,
    User,
)
from hireflow.models.document import DOCUMENT_KINDS
from hireflow.notifications.service import send_templated
from hireflow.portal import repository
from hireflow.portal.schemas import CandidateProfileIn, MyApplication, MyConsent
from hireflow.users import repository as users
from hireflow.users.service import normalize_email

HOURLY = 3600
REGISTRATIONS_PER_IP = 20
MAX_DOCUMENTS = 20
MAX_SAVED_JOBS = 200
APPLICATIONS_PAGE = 50
# Account fields an edit passes on to the linked records (the same names on `Candidate`).
SHARED_FIELDS = (
    "headline",
    "phone",
    "location",
    "summary",
    "links",
    "skills",
    "experience",
    "education",
)


# --- accounts ---------------------------------------------------------------------------------


async def register_candidate(
    session: AsyncSession,
    *,
    name: str,
    email: str,
    password: str,
    origin: Origin,
    settings: Settings,
) -> None:
    """A user without an organization, with a candidate profile; the emailed link confirms
    the address (`/verify-email`, as for employers). The answer is the same whether or not
    the address already has an account."""
    address = normalize_email(email)
    key = f"register:ip:{origin.ip or 'unknown'}"
    wait = await throttle.retry_after(
        session, key, limit=REGISTRATIONS_PER_IP, window_seconds=HOURLY
    )
    if wait is not None:
        raise TooManyRequests("Too many requests of this kind. Try again later.", retry_after=wait)
    await throttle.record(session, key, window_seconds=HOURLY)
    await strong_password(password, address, name)
    existing = await users.get_by_email(session, address)
    if existing is not None:
        await send_templated(
            session,
            kind="account_exists",
            to=existing.email,
            variables={
                "user_name": existing.name,
                "login_url": f"{settings.base_url}/login",
                "attempted": "create a candidate account on hireflow",
            },
            organization_id=None,
            settings=settings,
        )
        await audit.record(session, "auth.register_existing", origin=origin, actor=existing)
        return
    user = User(email=address, name=" ".join(name.split()), password_hash=hash_password(password))
    session.add(user)
    await session.flush()
    session.add(CandidateAccount(user_id=user.id))
    await session.flush()
    await audit.record(
        session,
        "candidate_account.registered",
        origin=origin,
        actor=user,
        target_type="user",
        target_id=user.id,
    )
    token = await one_time_tokens.issue(session, user.id, "verify_email")
    await send_templated(
        session,
        kind="verify_email",
        to=user.email,
        variables={
            "user_name": user.name,
            "link": f"{settings.base_url}/verify-email?token={token}",
        },
        organization_id=None,
        settings=settings,
    )


async def link_matching_candidates(session: AsyncSession, user: User) -> int:
    """Link the organizations' records with the account's confirmed address to the account,
    so the applications made before it existed show in the portal. Returns how many."""
    if user.email_verified_at is None:
        return 0
    found = await repository.unlinked_candidates_with_email(session, user.email)
    for candidate in found:
        candidate.user_id = user.id
        await add_event(
            session,
            candidate,
            "linked_to_account",
            actor_user_id=user.id,
            data={"user_id": str(user.id), "reason": "confirmed_email"},
        )
    if found:
        await session.flush()
    return len(found)


# --- profile ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    user: User
    account: CandidateAccount | None

    def value(self, name: str) -> Any:
        """A field of the profile; empty ([] or None) when never set."""
        value = getattr(self.account, name, None) if self.account is not None else None
        if value is None and name in ("links", "skills", "experience", "education"):
            return []
        return value


async def get_profile(session: AsyncSession, user: User) -> Profile:
    return Profile(user, await repository.get_account(session, user.id))


async def update_profile(
    session: AsyncSession, user: User, data: CandidateProfileIn, origin: Origin
) -> Profile:
    """Replace the profile; the fields that changed are passed on, in this transaction, to
    every record linked to the account (each gets an `updated_by_candidate` event)."""
    account = await repository.get_account(session, user.id)
    if account is None:
        account = CandidateAccount(user_id=user.id)
        session.add(account)
    values = data.stored()
    before = Profile(user, account)
    changed = [name for name in SHARED_FIELDS if before.value(name) != values[name]]
    for name in SHARED_FIELDS:
        setattr(account, name, values[name])
    await session.flush()
    if changed:
        for candidate in await repository.linked_candidates(session, user.id):
            await _pass_on(session, candidate, values, changed, user)
        await audit.record(
            session,
            "candidate_account.profile_updated",
            origin=origin,
            actor=user,
            target_type="user",
            target_id=user.id,
            data={"fields": changed},
        )
        await session.flush()
    await session.refresh(account)  # updated_at is set by the database
    return Profile(user, account)


async def _pass_on(
    session: AsyncSession,
    candidate: Candidate,
    values: dict[str, Any],
    changed: list[str],
    user: User,
) -> None:
    for name in changed:
        setattr(candidate, name, values[name])
        if name == "phone":
            candidate.phone_normalized = normalize_phone(values[name])
    await add_event(
        session, candidate, "updated_by_candidate", actor_user_id=user.id, data={"fields": changed}
    )


# --- applications -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicationPage:
    items: list[MyApplication]
    next_cursor: str | None


def _mine(row: tuple[Application, str, str, str, str]) -> MyApplication:
    application, title, organization_name, slug, stage = row
    return MyApplication(
        id=application.id,
        job_id=application.job_id,
        job_title=title,
        organization_name=organization_name,
        organization_slug=slug,
        stage=stage,
        status=application.status,
        applied_at=application.applied_at,
        updated_at=application.updated_at,
    )


async def my_applications(
    session: AsyncSession, user: User, *, cursor: str | None = None, limit: int = APPLICATIONS_PAGE
) -> ApplicationPage:
    await link_matching_candidates(session, user)
    limit = max(1, min(limit, 100))
    rows = await repository.applications_of(
        session, user.id, after=cursors.decode(cursor), limit=limit + 1
    )
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1][0] if rows else None
    return ApplicationPage(
        items=[_mine(row) for row in rows],
        next_cursor=cursors.encode(last.applied_at, last.id) if more and last else None,
    )


async def my_application(
    session: AsyncSession, user: User, application_id: uuid.UUID
) -> MyApplication:
    row = await repository.application_of(session, user.id, application_id)
    if row is None:
        raise NotFound("You have no application with this id.")
    return _mine(row)


async def withdraw_application(
    session: AsyncSession,
    user: User,
    application_id: uuid.UUID,
    *,
    reason: str | None,
    origin: Origin,
) -> MyApplication:
    """Withdraw one of the person's applications that is still in progress: it closes as
    `withdrawn` in its stage, and the organization sees the event (and the reason, if given)
    in the application's history."""
    application = await repository.own_application_for_update(session, user.id, application_id)
    if application is None:
        raise NotFound("You have no application with this id.")
    await applications.withdraw_application(
        session, application, actor_user_id=user.id, reason=reason
    )
    await audit.record(
        session,
        "application.withdrawn",
        origin=origin,
        actor=user,
        organization_id=application.organization_id,
        target_type="application",
        target_id=application.id,
        data={"by": "candidate", "reason": reason},
    )
    return await my_application(session, user, application_id)


# --- consents ---------------------------------------------------------------------------------


def _consent(consent: CandidateConsent, organization: Organization) -> MyConsent:
    return MyConsent(
        id=consent.id,
        candidate_id=consent.candidate_id,
        organization_id=consent.organization_id,
        organization_name=organization.name,
        purpose=consent.purpose,
        statement=consent.statement,
        granted_at=consent.granted_at,
        withdrawn_at=consent.withdrawn_at,
    )


async def my_consents(session: AsyncSession, user: User) -> list[MyConsent]:
    await link_matching_candidates(session, user)
    return [_consent(*row) for row in await repository.consents_of(session, user.id)]


async def withdraw_consent(
    session: AsyncSession,
    user: User,
    *,
    purpose: str,
    candidate_id: uuid.UUID | None,
    organization_id: uuid.UUID | None,
    origin: Origin,
) -> list[MyConsent]:
    """Withdraw the person's consent for `purpose` given to one organization (every record of
    theirs there). Returns the consents withdrawn; withdrawing again is a 409."""
    rows = await repository.consents_for_update(
        session,
        user.id,
        purpose=purpose,
        candidate_id=candidate_id,
        organization_id=organization_id,
    )
    if not rows:
        raise NotFound(
            "You have given no consent for this purpose to this organization.",
            extra={"field": "purpose"},
        )
    active = [(consent, candidate) for consent, candidate in rows if consent.withdrawn_at is None]
    if not active:
        withdrawn = [c.withdrawn_at for c, _ in rows if c.withdrawn_at is not None]
        raise Conflict(
            "You have already withdrawn this consent.",
            extra={"purpose": purpose, "withdrawn_at": max(withdrawn).isoformat()},
        )
    at = now()
    candidates: dict[uuid.UUID, Candidate] = {}
    for consent, candidate in active:
        consent.withdrawn_at = at
        candidates[candidate.id] = candidate
    for candidate in candidates.values():
        await add_event(
            session,
            candidate,
            "consent_withdrawn",
            actor_user_id=user.id,
            data={"purpose": purpose, "by": "candidate"},
        )
        await audit.record(
            session,
            "candidate.consent_withdrawn",
            origin=origin,
            actor=user,
            organization_id=candidate.organization_id,
            target_type="candidate",
            target_id=candidate.id,
            data={"purpose": purpose, "by": "candidate"},
        )
    await session.flush()
    organizations = {
        o.id: o
        for o in [
            await session.get_one(Organization, i)
            for i in {c.organization_id for c in candidates.values()}
        ]
    }
    return [_consent(consent, organizations[consent.organization_id]) for consent, _ in active]


# --- documents --------------------------------------------------------------------------------


async def my_documents(session: AsyncSession, user: User) -> list[Document]:
    return await repository.account_documents(session, user.id)


async def my_document(
    session: AsyncSession, user: User, document_id: uuid.UUID, *, with_content: bool = False
) -> Document:
    document = await repository.account_document(
        session, user.id, document_id, with_content=with_content
    )
    if document is None:
        raise NotFound("You have no document with this id.")
    return document


async def upload_document(
    session: AsyncSession,
    user: User,
    *,
    upload: Upload | None,
    kind: str,
    origin: Origin,
    settings: Settings,
) -> Document:
    if kind not in DOCUMENT_KINDS:
        raise Invalid(
            f"The kind of document is one of: {', '.join(DOCUMENT_KINDS)}.",
            extra={"field": "kind"},
        )
    if upload is None or not upload.data:
        raise Invalid("Choose a file to upload.", extra={"field": "file"})
    if await repository.count_account_documents(session, user.id) >= MAX_DOCUMENTS:
        raise Conflict(
            f"An account keeps {MAX_DOCUMENTS} documents at most: delete one first.",
            extra={"field": "file"},
        )
    inspected = await inspect_upload(
        upload.filename, upload.data, max_bytes=settings.max_document_bytes
    )
    document = await store_document(
        session, inspected, kind=kind, user_id=user.id, uploaded_by_user_id=user.id
    )
    await audit.record(
        session,
        "candidate_account.document_added",
        origin=origin,
        actor=user,
        target_type="document",
        target_id=document.id,
        data={"kind": kind, "filename": document.filename},
    )
    return document


async def delete_document(
    session: AsyncSession, user: User, document_id: uuid.UUID, origin: Origin
) -> None:
    document = await my_document(session, user, document_id)
    await repository.delete_document(session, document)
    await audit.record(
        session,
        "candidate_account.document_deleted",
        origin=origin,
        actor=user,
        target_type="document",
        target_id=document_id,
        data={"filename": document.filename},
    )


# --- saved jobs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SavedJobView:
    saved: SavedJob
    job: Job
    organization: Organization


async def my_saved_jobs(session: AsyncSession, user: User) -> list[SavedJobView]:
    return [SavedJobView(*row) for row in await repository.saved_jobs(session, user.id)]


async def save_job(session: AsyncSession, user: User, job_id: uuid.UUID) -> SavedJobView:
    """Bookmark any organization's open job; saving it again changes nothing."""
    found = await repository.open_job_with_organization(session, job_id)
    if found is None:
        raise NotFound("No open job has this id.", extra={"field": "job_id"})
    job, organization = found
    saved = await repository.saved_job(session, user.id, job_id)
    if saved is None:
        if await repository.count_saved_jobs(session, user.id) >= MAX_SAVED_JOBS:
            raise Conflict(f"You can keep {MAX_SAVED_JOBS} saved jobs at most: remove some first.")
        saved = SavedJob(user_id=user.id, job_id=job_id, created_at=now())
        session.add(saved)
        await session.flush()
    return SavedJobView(saved, job, organization)


async def unsave_job(session: AsyncSession, user: User, job_id: uuid.UUID) -> None:
    saved = await repository.saved_job(session, user.id, job_id)
    if saved is None:
        raise NotFound("You have not saved this job.")
    await repository.delete_saved_job(session, saved)


async def is_saved(session: AsyncSession, user: User, job_id: uuid.UUID) -> bool:
    return await repository.saved_job(session, user.id, job_id) is not None


async def resumes_for_applying(session: AsyncSession, user: User) -> list[Document]:
    """The account's documents a signed-in candidate may apply with (resumes first)."""
    documents = await repository.account_documents(session, user.id)
    return sorted(documents, key=lambda d: d.kind != "resume")
