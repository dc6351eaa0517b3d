"""Pages that belong to no domain: the home page, the API documentation and, outside production,
the design system's styleguide."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hireflow.auth.pages import OptionalSession, remember_viewer
from hireflow.config import Settings
from hireflow.db import DbSession
from hireflow.errors import Invalid, NotFound
from hireflow.web.templating import templates

router = APIRouter(include_in_schema=False)

# Swagger UI sets inline styles; this page alone relaxes style-src for them.
DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; "
    "form-action 'self'"
)

STYLEGUIDE_PAGE_COUNT = 12
STYLEGUIDE_FAILURE = (
    "This demonstration endpoint always refuses the form, so that the error toast can be seen."
)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, principal: OptionalSession, session: DbSession) -> Response:
    if principal is not None:
        viewer = await remember_viewer(request, session, principal)
        if not viewer.organizations and not viewer.is_platform_admin:
            # A candidate account (no organization): their applications are their home.
            return RedirectResponse("/portal", status_code=303)
    return templates.TemplateResponse(request, "home.html", {})


@router.get("/api/docs", response_class=HTMLResponse)
async def api_docs(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(
        request, "api_docs.html", {}, headers={"Content-Security-Policy": DOCS_CSP}
    )


def _outside_production(request: Request) -> None:
    """The styleguide is a development tool: a production install answers 404."""
    settings: Settings = request.app.state.settings
    if settings.environment == "production":
        raise NotFound("There is nothing at this address.")


styleguide = APIRouter(
    prefix="/styleguide", include_in_schema=False, dependencies=[Depends(_outside_production)]
)


@styleguide.get("", response_class=HTMLResponse)
async def styleguide_page(
    request: Request,
    page: Annotated[int, Query(ge=1, le=STYLEGUIDE_PAGE_COUNT)] = 1,
) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        "styleguide.html",
        {"page": page, "page_count": STYLEGUIDE_PAGE_COUNT},
    )


@styleguide.post("/fail")
async def styleguide_fail() -> None:
    """Always fails, so the shared error handler's htmx toast can be seen and tested."""
    raise Invalid(STYLEGUIDE_FAILURE)


@styleguide.post("/ok", response_class=HTMLResponse)
async def styleguide_ok(request: Request) -> HTMLResponse:
    """A success toast, swapped into #toasts by the form that asked for it."""
    return templates.TemplateResponse(
        request,
        "partials/toast.html",
        {
            "kind": "success",
            "title": "Saved",
            "message": "The demonstration form was accepted. Nothing was stored.",
        },
    )


router.include_router(styleguide)
