"""The notifications page (`/notifications`): the signed-in user's notifications, newest first,
unread ones marked; mark one or all read. Thin routes over `inapp.service`."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from hireflow.auth.pages import MemberSession
from hireflow.db import DbSession
from hireflow.inapp import service
from hireflow.web.templating import Notice, register_notices, see_other, templates, with_query

router = APIRouter(include_in_schema=False)

register_notices(
    {
        "notification-read": Notice("success", "Marked read"),
        "notifications-read": Notice("success", "All notifications marked read"),
    }
)


@router.get("/notifications", response_class=HTMLResponse)
async def notifications_page(
    request: Request,
    principal: MemberSession,
    session: DbSession,
    unread: bool = False,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    page = await service.list_notifications(
        session, principal.user, unread_only=unread, cursor=cursor
    )
    older = (
        with_query("/notifications", unread="true" if unread else None, cursor=page.next_cursor)
        if page.next_cursor
        else None
    )
    return templates.TemplateResponse(
        request,
        "inapp/list.html",
        {"page": page, "unread_only": unread, "older_url": older, "first_page": cursor is None},
    )


@router.post("/notifications/read-all")
async def read_all(principal: MemberSession, session: DbSession) -> Response:
    await service.mark_all_read(session, principal.user)
    return see_other("/notifications", notice="notifications-read")


@router.post("/notifications/{notification_id}/read")
async def read_one(
    notification_id: uuid.UUID, principal: MemberSession, session: DbSession
) -> Response:
    await service.mark_read(session, principal.user, notification_id)
    return see_other("/notifications", notice="notification-read")
