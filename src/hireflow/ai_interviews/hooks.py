"""Completion hooks: code that runs, in the same transaction, when an AI interview session is
completed (by the candidate, by the time limit or by the sweep). Other domains attach here —
the completion receipt email, the recruiter's in-app notification — with
`@on_session_completed`; like stage hooks, a hook does database work and enqueues jobs, never
sends anything directly."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.models import InterviewSession

CompletionHook = Callable[[AsyncSession, InterviewSession, str], Awaitable[None]]
_hooks: list[CompletionHook] = []


def on_session_completed(hook: CompletionHook) -> CompletionHook:
    """Register `hook(session, interview, reason)`; registering twice has no effect."""
    if hook not in _hooks:
        _hooks.append(hook)
    return hook


async def session_completed(
    session: AsyncSession, interview: InterviewSession, reason: str
) -> None:
    for hook in list(_hooks):
        await hook(session, interview, reason)


# Scoring hooks: run in the `interviews.score_session` job's transaction once the scores are
# stored (the recruiter's "scores are ready" notification).
ScoredHook = Callable[[AsyncSession, InterviewSession], Awaitable[None]]
_scored_hooks: list[ScoredHook] = []


def on_session_scored(hook: ScoredHook) -> ScoredHook:
    """Register `hook(session, interview)`; registering twice has no effect."""
    if hook not in _scored_hooks:
        _scored_hooks.append(hook)
    return hook


async def session_scored(session: AsyncSession, interview: InterviewSession) -> None:
    for hook in list(_scored_hooks):
        await hook(session, interview)
