"""Public routes that emails link to: the open pixel, click redirects and unsubscribing
(the page, and RFC 8058 one-click from mail clients). No session: the signed token in the
path is the authorization (so there is no CSRF token to check either; a forged request
would need the token)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from hireflow.db import DbSession
from hireflow.deps import AppSettings, RequestOrigin
from hireflow.notifications import tracking
from hireflow.web.templating import templates

router = APIRouter(include_in_schema=False)

NO_STORE = {"Cache-Control": "no-store"}


@router.get("/t/o/{token}.gif")
async def open_pixel(token: str, session: DbSession, settings: AppSettings) -> Response:
    """Always the pixel (a bad token too), so mail clients show nothing broken; only a valid
    token counts."""
    await tracking.record_open(session, settings, token)
    return Response(tracking.PIXEL_GIF, media_type="image/gif", headers=NO_STORE)


@router.get("/t/c/{token}")
async def click(token: str, session: DbSession, settings: AppSettings) -> Response:
    target = await tracking.follow_click(session, settings, token)
    return RedirectResponse(target, status_code=303, headers=NO_STORE)


@router.get("/unsubscribe/{token}", response_class=HTMLResponse)
async def unsubscribe_page(
    request: Request, token: str, session: DbSession, settings: AppSettings
) -> HTMLResponse:
    found = await tracking.read_unsubscribe(session, settings, token)
    return templates.TemplateResponse(
        request,
        "email/unsubscribe.html",
        {"organization": found.organization, "address": found.address, "token": token},
        headers={**NO_STORE, "Referrer-Policy": "no-referrer"},
    )


@router.post("/unsubscribe/{token}")
async def unsubscribe(
    request: Request,
    token: str,
    session: DbSession,
    settings: AppSettings,
    origin: RequestOrigin,
    one_click: Annotated[str, Form(alias="List-Unsubscribe", max_length=20)] = "",
) -> Response:
    """The page's button, or a mail client's one-click POST (`List-Unsubscribe=One-Click`),
    which gets a short plain answer."""
    source = "one-click" if one_click == "One-Click" else "link"
    found = await tracking.unsubscribe(session, settings, token, source=source, origin=origin)
    if source == "one-click":
        return PlainTextResponse("Unsubscribed.", headers=NO_STORE)
    return templates.TemplateResponse(
        request,
        "email/unsubscribed.html",
        {"organization": found.organization, "address": found.address},
        headers={**NO_STORE, "Referrer-Policy": "no-referrer"},
    )
