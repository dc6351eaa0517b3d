"""An invitation's status, derived (never stored) from its own state, its interview session and
its email: scheduled → queued → sent → opened → clicked → started → completed, or expired,
failed, cancelled, skipped, unsubscribed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

InvitationStatus = Literal[
    "scheduled",
    "queued",
    "sent",
    "opened",
    "clicked",
    "started",
    "completed",
    "expired",
    "failed",
    "cancelled",
    "skipped",
    "unsubscribed",
]
STATUSES: tuple[InvitationStatus, ...] = get_args(InvitationStatus)
# `failure_reason` of an invitation skipped because the address unsubscribed.
UNSUBSCRIBED = "unsubscribed"

LABELS: dict[str, str] = {
    "scheduled": "Scheduled",
    "queued": "Invited",
    "sent": "Invited",
    "opened": "Opened",
    "clicked": "Clicked",
    "started": "Started",
    "completed": "Completed",
    "expired": "Expired",
    "failed": "Failed",
    "cancelled": "Cancelled",
    "skipped": "Not sent",
    "unsubscribed": "Unsubscribed",
}
TONES: dict[str, str] = {
    "scheduled": "neutral",
    "queued": "neutral",
    "sent": "info",
    "opened": "info",
    "clicked": "info",
    "started": "warning",
    "completed": "success",
    "expired": "warning",
    "failed": "danger",
    "cancelled": "neutral",
    "skipped": "danger",
    "unsubscribed": "neutral",
}


@dataclass(frozen=True)
class StatusFacts:
    """What the status is derived from."""

    state: str  # the invitation's: scheduled | prepared | cancelled | skipped
    failure_reason: str | None = None
    session_status: str | None = None  # NOT_STARTED | IN_PROGRESS | COMPLETED | EXPIRED | …
    email_status: str | None = None  # queued | sent | stored | failed
    email_opened_at: datetime | None = None
    email_clicked_at: datetime | None = None
    link_opened: bool = False  # the candidate opened the link this invitation issued


def derive_status(facts: StatusFacts) -> InvitationStatus:
    """The invitation's state first, then the session, then the email."""
    if facts.state == "cancelled":
        return "cancelled"
    if facts.state == "skipped":
        return "unsubscribed" if facts.failure_reason == UNSUBSCRIBED else "skipped"
    if facts.state == "scheduled":
        return "scheduled"
    match facts.session_status:
        case "COMPLETED":
            return "completed"
        case "IN_PROGRESS":
            return "started"
        case "EXPIRED":
            return "expired"
        case "CANCELLED":
            return "cancelled"
    if facts.email_status == "failed":
        return "failed"
    if facts.email_clicked_at is not None or facts.link_opened:
        return "clicked"
    if facts.email_opened_at is not None:
        return "opened"
    if facts.email_status in ("sent", "stored"):
        return "sent"
    return "queued"
