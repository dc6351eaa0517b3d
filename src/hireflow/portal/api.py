"""Candidate portal JSON routes: the signed-in person's own profile, applications (and
withdrawing one), consents (and withdrawing one), documents and saved jobs (`/me/…`). Only
what is theirs, and nothing recruiters keep to themselves."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, File, Form, Query, Response, UploadFile

from hireflow.api import API_PREFIX
from hireflow.auth.dependencies import CurrentUser
from hireflow.careers.api import upload_of
from hireflow.db import DbSession
from hireflow.deps import AppSettings, RequestOrigin
from hireflow.documents.service import download_response
from hireflow.portal import service
from hireflow.portal.schemas import (
    CandidateProfileIn,
    CandidateProfileRead,
    MyApplication,
    MyApplicationPage,
    MyConsent,
    MyDocument,
    SavedJobRead,
    SaveJobIn,
    WithdrawApplicationIn,
    WithdrawConsentIn,
)

router = APIRouter(prefix=API_PREFIX + "/me", tags=["portal"])


def profile_read(profile: service.Profile) -> CandidateProfileRead:
    account = profile.account
    return CandidateProfileRead(
        name=profile.user.name,
        email=profile.user.email,
        headline=profile.value("headline"),
        phone=profile.value("phone"),
        location=profile.value("location"),
        summary=profile.value("summary"),
        links=list(profile.value("links")),
        skills=list(profile.value("skills")),
        experience=list(profile.value("experience")),
        education=list(profile.value("education")),
        updated_at=account.updated_at if account is not None else None,
    )


def saved_read(view: service.SavedJobView) -> SavedJobRead:
    return SavedJobRead(
        job_id=view.job.id,
        title=view.job.title,
        organization_name=view.organization.name,
        organization_slug=view.organization.slug,
        location=view.job.location,
        remote_policy=view.job.remote_policy,
        open=view.job.status == "open",
        saved_at=view.saved.created_at,
    )


@router.get("/candidate-profile", response_model=CandidateProfileRead, summary="My profile")
async def read_profile(caller: CurrentUser, session: DbSession) -> CandidateProfileRead:
    return profile_read(await service.get_profile(session, caller.user))


@router.put(
    "/candidate-profile",
    response_model=CandidateProfileRead,
    summary="Replace my profile (passed on to the organizations' records linked to me)",
)
async def replace_profile(
    data: CandidateProfileIn, caller: CurrentUser, session: DbSession, origin: RequestOrigin
) -> CandidateProfileRead:
    return profile_read(await service.update_profile(session, caller.user, data, origin))


@router.get(
    "/applications",
    response_model=MyApplicationPage,
    summary="My applications: job, organization, current stage and status",
)
async def list_my_applications(
    caller: CurrentUser,
    session: DbSession,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = service.APPLICATIONS_PAGE,
) -> MyApplicationPage:
    page = await service.my_applications(session, caller.user, cursor=cursor, limit=limit)
    return MyApplicationPage(items=page.items, next_cursor=page.next_cursor)


@router.post(
    "/applications/{application_id}/withdraw",
    response_model=MyApplication,
    summary="Withdraw one of my applications in progress (optional `reason`, ≤ 300 characters)",
    responses={
        404: {"description": "Not one of my applications."},
        409: {"description": "Not in progress (already withdrawn, rejected or hired)."},
    },
)
async def withdraw_my_application(
    application_id: uuid.UUID,
    caller: CurrentUser,
    session: DbSession,
    origin: RequestOrigin,
    data: Annotated[WithdrawApplicationIn | None, Body()] = None,
) -> MyApplication:
    return await service.withdraw_application(
        session,
        caller.user,
        application_id,
        reason=data.reason if data is not None else None,
        origin=origin,
    )


@router.get(
    "/consents",
    response_model=list[MyConsent],
    summary="The consents I gave to organizations (withdrawn ones too)",
)
async def list_my_consents(caller: CurrentUser, session: DbSession) -> list[MyConsent]:
    return await service.my_consents(session, caller.user)


@router.post(
    "/consents/withdraw",
    response_model=list[MyConsent],
    summary="Withdraw a consent: `{purpose, organization_id}` (or `candidate_id`)",
    responses={
        404: {"description": "No such consent of mine."},
        409: {"description": "Already withdrawn."},
    },
)
async def withdraw_my_consent(
    data: WithdrawConsentIn, caller: CurrentUser, session: DbSession, origin: RequestOrigin
) -> list[MyConsent]:
    return await service.withdraw_consent(
        session,
        caller.user,
        purpose=data.purpose,
        candidate_id=data.candidate_id,
        organization_id=data.organization_id,
        origin=origin,
    )


@router.get("/documents", response_model=list[MyDocument], summary="My documents")
async def list_my_documents(caller: CurrentUser, session: DbSession) -> list[MyDocument]:
    documents = await service.my_documents(session, caller.user)
    return [MyDocument.model_validate(d) for d in documents]


@router.post(
    "/documents",
    response_model=MyDocument,
    status_code=201,
    summary="Upload a document (multipart: `file`, `kind` resume|cover_letter|other)",
    responses={
        413: {"description": "Over the size limit."},
        422: {"description": "Not PDF/DOCX/text."},
    },
)
async def upload_my_document(
    caller: CurrentUser,
    session: DbSession,
    settings: AppSettings,
    origin: RequestOrigin,
    file: Annotated[UploadFile | None, File()] = None,
    kind: Annotated[str, Form(max_length=20)] = "resume",
) -> MyDocument:
    document = await service.upload_document(
        session,
        caller.user,
        upload=await upload_of(file),
        kind=kind,
        origin=origin,
        settings=settings,
    )
    return MyDocument.model_validate(document)


@router.get(
    "/documents/{document_id}",
    summary="Download one of my documents",
    response_class=Response,
    responses={200: {"description": "The file, as an attachment."}},
)
async def download_my_document(
    document_id: uuid.UUID, caller: CurrentUser, session: DbSession
) -> Response:
    return download_response(
        await service.my_document(session, caller.user, document_id, with_content=True)
    )


@router.delete("/documents/{document_id}", status_code=204, summary="Delete one of my documents")
async def delete_my_document(
    document_id: uuid.UUID, caller: CurrentUser, session: DbSession, origin: RequestOrigin
) -> Response:
    await service.delete_document(session, caller.user, document_id, origin)
    return Response(status_code=204)


@router.get("/saved-jobs", response_model=list[SavedJobRead], summary="Jobs I saved")
async def list_saved_jobs(caller: CurrentUser, session: DbSession) -> list[SavedJobRead]:
    return [saved_read(view) for view in await service.my_saved_jobs(session, caller.user)]


@router.post(
    "/saved-jobs",
    response_model=SavedJobRead,
    status_code=201,
    summary="Save an open job (saving it again changes nothing)",
)
async def save_job(data: SaveJobIn, caller: CurrentUser, session: DbSession) -> SavedJobRead:
    return saved_read(await service.save_job(session, caller.user, data.job_id))


@router.delete("/saved-jobs/{job_id}", status_code=204, summary="Forget a saved job")
async def unsave_job(job_id: uuid.UUID, caller: CurrentUser, session: DbSession) -> Response:
    await service.unsave_job(session, caller.user, job_id)
    return Response(status_code=204)
