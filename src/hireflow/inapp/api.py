"""The signed-in user's in-app notifications (any credential of a person), and the one
WebSocket that carries everything live to their pages."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Query, WebSocket, WebSocketDisconnect
from starlette.websockets import WebSocketState

from hireflow import realtime
from hireflow.api import API_PREFIX
from hireflow.auth.dependencies import (
    SESSION_COOKIE,
    CurrentUser,
    cookie_principal,
    enrolment_missing,
)
from hireflow.config import Settings
from hireflow.db import Database, DbSession
from hireflow.inapp import service
from hireflow.inapp import triggers as _triggers  # noqa: F401 - registers the hooks
from hireflow.inapp.schemas import MarkedRead, NotificationPage, NotificationRead, UnreadCount
from hireflow.models import User

log = structlog.get_logger(__name__)

router = APIRouter(prefix=API_PREFIX, tags=["notifications"])

# An application-level ping keeps proxies from closing a quiet socket; each one also checks
# that the session still holds (signed out elsewhere: the socket closes).
PING_SECONDS = 25.0
POLICY_VIOLATION = 1008


@router.get(
    "/notifications",
    response_model=NotificationPage,
    summary="My in-app notifications, newest first (`unread=true`: unread only)",
)
async def list_notifications(
    caller: CurrentUser,
    session: DbSession,
    unread: bool = False,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE_SIZE)] = service.PAGE_SIZE,
) -> NotificationPage:
    page = await service.list_notifications(
        session, caller.user, unread_only=unread, cursor=cursor, limit=limit
    )
    return NotificationPage(
        items=[NotificationRead.model_validate(n) for n in page.items],
        next_cursor=page.next_cursor,
        unread=page.unread,
    )


@router.get(
    "/notifications/unread-count",
    response_model=UnreadCount,
    summary="How many of my notifications are unread",
)
async def unread_count(caller: CurrentUser, session: DbSession) -> UnreadCount:
    return UnreadCount(unread=await service.unread_count(session, caller.user.id))


@router.post(
    "/notifications/read-all",
    response_model=MarkedRead,
    summary="Mark all my notifications read",
)
async def mark_all_read(caller: CurrentUser, session: DbSession) -> MarkedRead:
    marked = await service.mark_all_read(session, caller.user)
    return MarkedRead(marked=marked, unread=await service.unread_count(session, caller.user.id))


@router.post(
    "/notifications/{notification_id}/read",
    response_model=NotificationRead,
    summary="Mark one of my notifications read",
    responses={404: {"description": "Not one of my notifications"}},
)
async def mark_read(
    notification_id: uuid.UUID, caller: CurrentUser, session: DbSession
) -> NotificationRead:
    notification, _ = await service.mark_read(session, caller.user, notification_id)
    return NotificationRead.model_validate(notification)


# --- live ------------------------------------------------------------------------------------


def own_origins(websocket: WebSocket, settings: Settings) -> set[str]:
    """The origins of our own pages: the address the socket was opened on, and the public URL."""
    scheme = "https" if websocket.url.scheme == "wss" else "http"
    origins = {settings.base_url.rstrip("/")}
    host = websocket.headers.get("host")
    if host:
        origins.add(f"{scheme}://{host}")
    return origins


async def _signed_in_user(database: Database, raw: str | None, settings: Settings) -> User | None:
    """The user of a session cookie signed in with every factor, else None. Read only: an open
    page must not keep the session from going idle."""
    if not raw:
        return None
    async with database.sessionmaker() as session:
        principal = await cookie_principal(session, raw, settings)
        if principal is None or principal.user_session.mfa_verified_at is None:
            return None
        if await enrolment_missing(session, principal.user):
            return None
        return principal.user  # the block's end rolls back (closes) the session


async def _unread(database: Database, user_id: uuid.UUID) -> int:
    async with database.sessionmaker() as session:
        return await service.unread_count(session, user_id)


async def _refuse(websocket: WebSocket, reason: str) -> None:
    # Accepted first, so the browser sees the close code and reason (a refused handshake
    # only shows a failed connection).
    await websocket.accept()
    await websocket.close(code=POLICY_VIOLATION, reason=reason)


async def _until_disconnect(websocket: WebSocket) -> None:
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            await websocket.receive_text()  # the client has nothing to say; keep reading


@router.websocket("/notifications/live")
async def live(websocket: WebSocket) -> None:
    """Everything live for the signed-in user: `{"type": "hello", "unread": n}`, then
    `{"type": "notification", "notification": {…}, "unread": n}` per new notification,
    `{"type": "unread", "unread": n}` when some were read elsewhere, and `{"type": "ping"}`."""
    settings: Settings = websocket.app.state.settings
    database: Database = websocket.app.state.database
    hub: realtime.Hub = websocket.app.state.hub
    origin = (websocket.headers.get("origin") or "").rstrip("/")
    if origin not in own_origins(websocket, settings):
        await _refuse(websocket, "This socket is only for the app's own pages.")
        return
    raw = websocket.cookies.get(SESSION_COOKIE)
    user = await _signed_in_user(database, raw, settings)
    if user is None:
        await _refuse(websocket, "Sign in first.")
        return
    await websocket.accept()
    # Subscribed before counting, so nothing made in between is missed.
    with hub.subscribe(realtime.user_channel(user.id)) as queue:
        await websocket.send_json({"type": "hello", "unread": await _unread(database, user.id)})
        reader = asyncio.create_task(_until_disconnect(websocket))
        try:
            await _pump(websocket, queue, reader, database, raw, settings)
        except WebSocketDisconnect:
            pass
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
    if websocket.application_state == WebSocketState.CONNECTED:
        with contextlib.suppress(RuntimeError, WebSocketDisconnect):
            await websocket.close()


async def _pump(
    websocket: WebSocket,
    queue: asyncio.Queue[dict[str, Any]],
    reader: asyncio.Task[None],
    database: Database,
    raw: str | None,
    settings: Settings,
) -> None:
    while not reader.done():
        getter = asyncio.create_task(queue.get())
        done, _ = await asyncio.wait(
            {getter, reader}, timeout=PING_SECONDS, return_when=asyncio.FIRST_COMPLETED
        )
        if getter in done:
            await websocket.send_json(getter.result())
            continue
        getter.cancel()
        if reader.done():
            return
        if await _signed_in_user(database, raw, settings) is None:
            await websocket.close(code=POLICY_VIOLATION, reason="The session ended.")
            return
        await websocket.send_json({"type": "ping"})
