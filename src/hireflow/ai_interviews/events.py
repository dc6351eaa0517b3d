"""A session's events and the projection folded from them.

Every change of a session is an appended `InterviewEvent` (session, seq, type, payload, actor,
time); `apply` is the one place that says what an event does to the projection (`status` and
`state`), and it is pure: folding a session's events from the start (`fold`) gives exactly the
stored projection, which a test checks for whole interviews.

The state (JSON):
- `consent`: None, or {"ai_evaluation": bool, "at"}; False means the candidate asked for a
  person to review their answers instead of the AI.
- `questions`: the questions in the order asked (follow-ups inserted after their question),
  each with its rubric — recruiter-only; candidate views pick fields out of it.
- `current`: the index of the question being asked, or None.
- `answers`: {question_id: {"text", "at", "seconds"}}.
- `follow_ups`: how many follow-ups were added.
- `started_at`, `deadline`, `ended_at`, `end_reason`, `model`, `links_opened`.
- `scoring`: None, or {"status": "done" | "skipped", "model", "questions", "competencies",
  "reason"}; `overrides`: the recruiters' score overrides, newest last.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

# Types, in the order a session usually sees them.
SESSION_CREATED = "SESSION_CREATED"
SESSION_CONFIGURED = "SESSION_CONFIGURED"
INVITE_ISSUED = "INVITE_ISSUED"
INVITE_REVOKED = "INVITE_REVOKED"
LINK_OPENED = "LINK_OPENED"
CONSENT_GIVEN = "CONSENT_GIVEN"
SESSION_STARTED = "SESSION_STARTED"
QUESTIONS_GENERATED = "QUESTIONS_GENERATED"
ANSWER_SUBMITTED = "ANSWER_SUBMITTED"
FOLLOW_UP_ADDED = "FOLLOW_UP_ADDED"
SESSION_COMPLETED = "SESSION_COMPLETED"
SESSION_EXPIRED = "SESSION_EXPIRED"
SESSION_CANCELLED = "SESSION_CANCELLED"
SCORING_COMPLETED = "SCORING_COMPLETED"
SCORING_SKIPPED = "SCORING_SKIPPED"
SCORE_OVERRIDDEN = "SCORE_OVERRIDDEN"

ACTORS = ("recruiter", "candidate", "system", "ai")
OPEN_STATUSES = ("NOT_STARTED", "IN_PROGRESS")


@dataclass(frozen=True)
class Event:
    """What `apply` needs of an event row (or of one about to be written)."""

    type: str
    payload: dict[str, Any]
    at: datetime


def initial_state() -> dict[str, Any]:
    return {
        "consent": None,
        "questions": [],
        "current": None,
        "answers": {},
        "follow_ups": 0,
        "started_at": None,
        "deadline": None,
        "ended_at": None,
        "end_reason": None,
        "model": None,
        "links_opened": 0,
        "scoring": None,
        "overrides": [],
    }


def apply(status: str, state: dict[str, Any], event: Event) -> tuple[str, dict[str, Any]]:
    """The projection after `event`. Never mutates its arguments."""
    state = copy.deepcopy(state)
    p = event.payload
    at = event.at.isoformat()
    match event.type:
        case "SESSION_CREATED":
            return "NOT_STARTED", initial_state()
        case "SESSION_CONFIGURED" | "INVITE_ISSUED" | "INVITE_REVOKED":
            pass  # recorded for the timeline; the configuration lives in its own columns
        case "LINK_OPENED":
            state["links_opened"] += 1
        case "CONSENT_GIVEN":
            state["consent"] = {"ai_evaluation": bool(p["ai_evaluation"]), "at": at}
        case "SESSION_STARTED":
            status = "IN_PROGRESS"
            state["started_at"] = at
            state["deadline"] = p["deadline"]
        case "QUESTIONS_GENERATED":
            state["questions"] = list(p["questions"])
            state["model"] = p["model"]
            state["current"] = 0 if state["questions"] else None
        case "ANSWER_SUBMITTED":
            state["answers"][p["question_id"]] = {
                "text": p["answer"],
                "at": at,
                "seconds": p.get("seconds"),
            }
            state["current"] = _next_unanswered(state)
        case "FOLLOW_UP_ADDED":
            question = p["question"]
            after = next(
                i for i, q in enumerate(state["questions"]) if q["id"] == question["follow_up_of"]
            )
            state["questions"].insert(after + 1, question)
            state["follow_ups"] += 1
            state["current"] = _next_unanswered(state)
        case "SESSION_COMPLETED":
            status = "COMPLETED"
            state["current"] = None
            state["ended_at"] = at
            state["end_reason"] = p["reason"]
        case "SESSION_EXPIRED":
            status = "EXPIRED"
            state["ended_at"] = at
            state["end_reason"] = "expired"
        case "SESSION_CANCELLED":
            status = "CANCELLED"
            state["current"] = None
            state["ended_at"] = at
            state["end_reason"] = "cancelled"
        case "SCORING_COMPLETED":
            state["scoring"] = {
                "status": "done",
                "model": p["model"],
                "questions": p["questions"],
                "competencies": p["competencies"],
                "reason": p.get("fallback_reason"),
                "at": at,
            }
        case "SCORING_SKIPPED":
            state["scoring"] = {
                "status": "skipped",
                "model": None,
                "questions": [],
                "competencies": [],
                "reason": p["reason"],
                "at": at,
            }
        case "SCORE_OVERRIDDEN":
            state["overrides"].append(
                {
                    "target": p["target"],
                    "score": p["score"],
                    "previous": p["previous"],
                    "reason": p["reason"],
                    "by": p.get("by"),
                    "at": at,
                }
            )
        case _:
            raise ValueError(f"unknown interview event type {event.type!r}")
    return status, state


def _next_unanswered(state: dict[str, Any]) -> int | None:
    for i, question in enumerate(state["questions"]):
        if question["id"] not in state["answers"]:
            return i
    return None


def fold(events: Iterable[Event]) -> tuple[str, dict[str, Any]]:
    """The projection of a whole event history, from nothing."""
    status, state = "NOT_STARTED", initial_state()
    for event in events:
        status, state = apply(status, state, event)
    return status, state


def effective_scores(state: dict[str, Any]) -> dict[str, int]:
    """The score of each target ("q1", "competency:python") after overrides, latest wins."""
    scoring = state.get("scoring") or {}
    scores = {q["question_id"]: q["score"] for q in scoring.get("questions", [])}
    scores.update(
        {f"competency:{c['competency']}": c["score"] for c in scoring.get("competencies", [])}
    )
    for override in state.get("overrides", []):
        scores[override["target"]] = override["score"]
    return scores
