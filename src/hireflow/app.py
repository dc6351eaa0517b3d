"""`create_app()`: the web application with its lifespan, middleware, routers and error handlers."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from hireflow import __version__, realtime
from hireflow.ai_interviews.api import router as interviews_api_router
from hireflow.ai_interviews.candidate_api import router as candidate_interview_api_router
from hireflow.ai_interviews.candidate_pages import router as candidate_interview_pages_router
from hireflow.ai_interviews.pages import router as interviews_pages_router
from hireflow.applications.api import router as applications_api_router
from hireflow.applications.pages import router as applications_pages_router
from hireflow.audit.api import router as platform_audit_router
from hireflow.auth.accounts_api import router as accounts_router
from hireflow.auth.api import router as auth_router
from hireflow.auth.api_tokens_api import router as api_tokens_router
from hireflow.auth.mfa_api import router as mfa_router
from hireflow.auth.pages import router as auth_pages_router
from hireflow.auth.sso_api import browser as sso_browser_router
from hireflow.auth.sso_api import router as sso_router
from hireflow.candidates.api import router as candidates_api_router
from hireflow.candidates.pages import router as candidates_pages_router
from hireflow.careers.api import router as careers_api_router
from hireflow.careers.pages import router as careers_pages_router
from hireflow.config import Settings, get_settings
from hireflow.db import Database, create_engine
from hireflow.email_templates.api import router as email_templates_api_router
from hireflow.email_templates.pages import router as email_templates_pages_router
from hireflow.http_middleware import HttpMiddleware
from hireflow.inapp.api import router as inapp_api_router
from hireflow.inapp.pages import router as inapp_pages_router
from hireflow.invitations.api import router as invitations_api_router
from hireflow.invitations.pages import router as invitations_pages_router
from hireflow.jobs.api import router as jobs_api_router
from hireflow.jobs.pages import router as jobs_pages_router
from hireflow.kits.api import router as kits_api_router
from hireflow.kits.pages import router as kits_pages_router
from hireflow.library.api import router as library_api_router
from hireflow.library.pages import router as library_pages_router
from hireflow.notifications.api import organization_router as organization_outbox_router
from hireflow.notifications.api import router as notifications_router
from hireflow.notifications.outbox_pages import router as outbox_pages_router
from hireflow.notifications.pages import router as email_link_pages_router
from hireflow.notifications.sms_api import router as sms_router
from hireflow.ops.api import router as ops_router
from hireflow.organizations.api import router as organizations_router
from hireflow.organizations.pages import public as invitation_pages_router
from hireflow.organizations.pages import router as organization_pages_router
from hireflow.portal.api import router as portal_api_router
from hireflow.portal.pages import router as portal_pages_router
from hireflow.problems import install_error_handlers
from hireflow.web.pages import router as pages_router
from hireflow.web.platform_pages import router as platform_pages_router
from hireflow.web.templating import STATIC_DIR, PageResponse, page_response_handler


def create_app(
    database_url: str | None = None,
    settings: Settings | None = None,
    *,
    run_worker: bool = False,
) -> FastAPI:
    """`database_url` is a libpq URL; callers resolve the embedded server first
    (`hireflow.db.database_url`). `run_worker` runs a queue worker inside this process."""
    settings = settings or get_settings()
    url = database_url or settings.database_url
    if url is None:
        raise ValueError("create_app needs a database URL (start the embedded server first)")

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.database = Database(create_engine(url, settings))
        # Live pushes: this process's broker (what `realtime.publish` uses) and its hub.
        broker = realtime.broker_for(settings, url)
        realtime.install(broker)
        app.state.hub = realtime.Hub(broker)
        await app.state.hub.start()
        worker: asyncio.Task[None] | None = None
        if run_worker:
            from hireflow.worker import run_worker as run_queue_worker

            worker = asyncio.create_task(run_queue_worker(url, settings, name="in-process"))
        try:
            yield
        finally:
            if worker is not None:
                worker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await worker
            await app.state.hub.stop()
            await app.state.database.dispose()

    app = FastAPI(
        title="hireflow",
        version=__version__,
        summary="Open-source, self-hostable hiring platform",
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    install_error_handlers(app)
    # Page routes answer some refusals with a page of their own (a form with its errors, a
    # redirect to sign in): more specific than the AppError handler, so it wins for them.
    app.add_exception_handler(PageResponse, page_response_handler)
    app.include_router(ops_router)
    app.include_router(auth_router)
    app.include_router(mfa_router)
    app.include_router(accounts_router)
    app.include_router(platform_audit_router)
    app.include_router(sso_router)
    app.include_router(api_tokens_router)
    app.include_router(sso_browser_router)
    app.include_router(organizations_router)
    app.include_router(email_templates_api_router)
    app.include_router(notifications_router)
    app.include_router(inapp_api_router)
    app.include_router(organization_outbox_router)
    app.include_router(sms_router)
    app.include_router(applications_api_router)
    app.include_router(candidates_api_router)
    app.include_router(careers_api_router)
    app.include_router(jobs_api_router)
    app.include_router(kits_api_router)
    app.include_router(library_api_router)
    app.include_router(portal_api_router)
    app.include_router(interviews_api_router)
    app.include_router(candidate_interview_api_router)
    app.include_router(invitations_api_router)
    app.include_router(pages_router)
    app.include_router(auth_pages_router)
    app.include_router(organization_pages_router)
    app.include_router(email_templates_pages_router)
    app.include_router(email_link_pages_router)
    app.include_router(invitation_pages_router)
    app.include_router(platform_pages_router)
    app.include_router(inapp_pages_router)
    app.include_router(outbox_pages_router)
    app.include_router(applications_pages_router)
    app.include_router(candidates_pages_router)
    app.include_router(invitations_pages_router)
    app.include_router(careers_pages_router)
    app.include_router(jobs_pages_router)
    app.include_router(kits_pages_router)
    app.include_router(library_pages_router)
    app.include_router(portal_pages_router)
    app.include_router(interviews_pages_router)
    app.include_router(candidate_interview_pages_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")

    if settings.cors_origins:  # closed unless origins are configured
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After"],
        )
    # Added last, so it is outermost: every response, even a CORS preflight, gets its headers.
    app.add_middleware(
        HttpMiddleware,
        max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_upload_bytes,
        hsts=settings.hsts,
    )
    return app
