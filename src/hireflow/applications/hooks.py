"""Stage-entry hooks: code that runs, in the same transaction, whenever an application enters
a stage (on applying and on every move). Later features attach here — e.g. "when an
application enters stage X, invite to an AI interview" — with `@on_stage_entered`.

A hook must be idempotent-safe to run in the request's transaction: do database work and
enqueue jobs (`hireflow.worker.enqueue`), never send anything directly.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.models import Application, JobStage


@dataclass(frozen=True)
class StageEntry:
    application: Application
    stage: JobStage
    from_stage_id: uuid.UUID | None
    actor_user_id: uuid.UUID | None


StageHook = Callable[[AsyncSession, StageEntry], Awaitable[None]]
_hooks: list[StageHook] = []


def on_stage_entered(hook: StageHook) -> StageHook:
    """Register `hook` (usable as a decorator); registering twice has no effect."""
    if hook not in _hooks:
        _hooks.append(hook)
    return hook


def remove_stage_hook(hook: StageHook) -> None:
    if hook in _hooks:
        _hooks.remove(hook)


async def stage_entered(session: AsyncSession, entry: StageEntry) -> None:
    for hook in list(_hooks):
        await hook(session, entry)
