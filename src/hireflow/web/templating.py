"""The Jinja2 environment every page renders with, and the plumbing page routes share: who is
signed in (for the navigation and CSRF tokens), notices after a redirect, and refused forms."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn, TypeVar
from urllib.parse import urlencode, urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ValidationError

from hireflow import __version__
from hireflow.errors import AppError, Invalid

WEB_DIR = Path(__file__).parent
STATIC_DIR = WEB_DIR / "static"
DIST_DIR = STATIC_DIR / "dist"

SESSION_COOKIE_NAME = "hf_session"  # = hireflow.auth.dependencies.SESSION_COOKIE (no import cycle)


@dataclass(frozen=True)
class ViewerOrganization:
    id: uuid.UUID
    name: str
    role: str
    permissions: frozenset[str]


@dataclass(frozen=True)
class Viewer:
    """The signed-in user as pages show them: set on `request.state.viewer` by the page guards
    in `hireflow.auth.pages`, read by base.html (navigation, the CSRF token for htmx)."""

    name: str
    email: str
    csrf_token: str
    organizations: tuple[ViewerOrganization, ...] = ()
    # Shows the "Platform" navigation link (installation-wide audit log and outbox).
    is_platform_admin: bool = False
    # The bell's count (counting stops at 100; the navigation shows "99+").
    unread_notifications: int = 0


@dataclass(frozen=True)
class Notice:
    kind: str  # success | info | warning | error
    title: str
    message: str = ""


# What `?notice=<key>` shows as a toast after a redirect. Only these fixed texts are shown, so
# the query string cannot put words into the page. Page modules add theirs at import.
NOTICES: dict[str, Notice] = {}


def register_notices(notices: Mapping[str, Notice]) -> None:
    NOTICES.update(notices)


def _team_url(viewer: Viewer | None, path: str) -> str | None:
    """The team page the navigation links to: the organization being viewed, else the first
    whose team the viewer may see."""
    if viewer is None:
        return None
    teams = [o for o in viewer.organizations if "members:read" in o.permissions]
    current = [o for o in teams if path.startswith(f"/organizations/{o.id}")]
    chosen = current or teams
    return f"/organizations/{chosen[0].id}/team" if chosen else None


def _nav_organization(viewer: Viewer | None, path: str) -> ViewerOrganization | None:
    """The organization the navigation's Jobs and Candidates links go to: the one being
    viewed, else the viewer's first."""
    if viewer is None or not viewer.organizations:
        return None
    for organization in viewer.organizations:
        if path.startswith(f"/organizations/{organization.id}"):
            return organization
    return viewer.organizations[0]


def _page_context(request: Request) -> dict[str, Any]:
    viewer: Viewer | None = getattr(request.state, "viewer", None)
    notice = NOTICES.get(request.query_params.get("notice", ""))
    return {
        "viewer": viewer,
        # Pages that don't look the session up still show "Account" to someone holding a cookie.
        "has_session_cookie": SESSION_COOKIE_NAME in request.cookies,
        "team_url": _team_url(viewer, request.url.path),
        "nav_org": _nav_organization(viewer, request.url.path),
        "notices": [notice] if notice else [],
        "htmx_request": is_htmx(request),
    }


templates = Jinja2Templates(directory=WEB_DIR / "templates", context_processors=[_page_context])


@cache
def _build_stamp() -> str:
    # Bundles are rebuilt by `make assets`; the stamp busts browser caches after a rebuild.
    try:
        return str(int((DIST_DIR / ".built").stat().st_mtime))
    except FileNotFoundError:
        return __version__


def asset_url(path: str) -> str:
    return f"/static/dist/{path}?v={_build_stamp()}"


def assets_built() -> bool:
    return (DIST_DIR / ".built").exists()


def format_moment(value: datetime | None) -> str:
    """An instant for people: `2026-11-02 14:05 UTC`."""
    if value is None:
        return ""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


templates.env.globals.update(
    app_name="hireflow",
    version=__version__,
    asset=asset_url,
    # Defaults of the form pages, whose refusals fill them in (`refuse`).
    form=MappingProxyType({}),
    errors=MappingProxyType({}),
    form_error=None,
)
templates.env.filters["moment"] = format_moment


def format_count(value: int | None) -> str:
    """A whole number with thousands separators ("10,000"); "0" for None."""
    return f"{value or 0:,}"


templates.env.filters["thousands"] = format_count


# --- page routes: answers, redirects and refused forms ------------------------------------------


class PageResponse(AppError):
    """Raised by a page route or dependency to answer with `response` (a redirect to the sign-in
    page, a form shown again with its errors). Being an `AppError`, the request's transaction
    is rolled back, or committed with `keep_changes` (a failed sign-in's throttle counter)."""

    def __init__(self, response: Response, *, keep_changes: bool = False) -> None:
        super().__init__("page response", keep_changes=keep_changes)
        self.response = response


async def page_response_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageResponse)
    return exc.response


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def safe_next(value: str | None, default: str = "/") -> str:
    """`value` when it is a path on this site, else `default`: a `next` parameter never sends
    anyone to another site (no scheme, no host, no `//` or backslash tricks)."""
    if not value or len(value) > 2000 or not value.startswith("/"):
        return default
    if value.startswith("//") or any(c in value for c in "\\\r\n\t") or not value.isprintable():
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value


def with_query(path: str, **params: str | None) -> str:
    present = {k: v for k, v in params.items() if v}
    if not present:
        return path
    return f"{path}{'&' if '?' in path else '?'}{urlencode(present)}"


def see_other(url: str, *, notice: str | None = None) -> Response:
    """A 303 to `url` after a form, with a notice (a key of `NOTICES`) to show there. htmx
    requests follow it too, and swap what they select from the page."""
    return RedirectResponse(with_query(url, notice=notice), status_code=303)


def navigate(request: Request, url: str) -> Response:
    """Send the browser to `url`, also from an htmx request (which would otherwise swap the
    target page into the current one)."""
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


class FormInvalid(Invalid):
    """Form fields that failed validation: `fields` maps each field to its message."""

    code = "invalid-form"

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(" ".join(fields.values()), extra={"fields": fields})
        self.fields = fields


M = TypeVar("M", bound=BaseModel)


def validated(model: type[M], data: Mapping[str, Any], messages: Mapping[str, str]) -> M:
    """`data` as `model` (the API's input schema), or `FormInvalid` with the page's wording for
    every field that failed."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        fields: dict[str, str] = {}
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else ""
            fields.setdefault(name, messages.get(name, "Check this field."))
        raise FormInvalid(fields) from exc


@dataclass
class FormErrors:
    """Where a refused form's errors go: `fields` next to their fields, `form` above it."""

    fields: dict[str, str] = field(default_factory=dict)
    form: str | None = None
    title: str | None = None


def form_errors(
    exc: AppError, *, fields: Mapping[str, str] | None = None, default_field: str | None = None
) -> FormErrors:
    """`exc` placed on the form: a service error naming a field (`extra["field"]`, mapped through
    `fields` to the form's name for it) goes next to that field, as does any error when
    `default_field` is given; the rest goes above the form."""
    fields = fields or {}
    if isinstance(exc, FormInvalid):
        return FormErrors(fields=dict(exc.fields))
    named = exc.extra.get("field")
    target = fields.get(named) if isinstance(named, str) else None
    target = target or default_field
    if target:
        return FormErrors(fields={target: exc.detail})
    return FormErrors(form=exc.detail, title=exc.title)


def refuse(
    request: Request,
    exc: AppError,
    template: str,
    context: Mapping[str, Any],
    *,
    fields: Mapping[str, str] | None = None,
    default_field: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> NoReturn:
    """Answer a form the services refused: htmx requests get the shared error toast (`exc` as
    it is); a page is shown again with the error next to its field, with `exc`'s status."""
    if is_htmx(request):
        raise exc
    errors = form_errors(exc, fields=fields, default_field=default_field)
    response = templates.TemplateResponse(
        request,
        template,
        {
            **context,
            "errors": errors.fields,
            "form_error": errors.form,
            "form_error_title": errors.title,
        },
        status_code=exc.status,
        headers={**exc.headers, **(headers or {})},
    )
    raise PageResponse(response, keep_changes=exc.keep_changes) from exc
