"""How permissions are shown on pages: a label each, grouped by domain (the role editor,
API key and personal token scopes)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hireflow.authz.permissions import Permission

# The role editor groups permissions by what they are about: the part of the value before the
# first colon. A permission added to the enum later shows up under "Other" until named here.
_DOMAINS: dict[str, str] = {
    "organization": "Organization and access",
    "members": "Organization and access",
    "roles": "Organization and access",
    "api_keys": "Organization and access",
    "audit": "Organization and access",
    "jobs": "Jobs and candidates",
    "candidates": "Jobs and candidates",
    "applications": "Jobs and candidates",
    "feedback": "Jobs and candidates",
    "notes": "Jobs and candidates",
    "sessions": "AI interviews",
    "scores": "AI interviews",
    "library": "Interview library",
    "kits": "Interview library",
    "templates": "Messages and invitations",
    "invitations": "Messages and invitations",
    "messages": "Messages and invitations",
    "scheduling": "Scheduling and interview rooms",
    "marketplace": "Scheduling and interview rooms",
    "rooms": "Scheduling and interview rooms",
    "payments": "Payments",
    "analytics": "Analytics, integrations and compliance",
    "reports": "Analytics, integrations and compliance",
    "integrations": "Analytics, integrations and compliance",
    "compliance": "Analytics, integrations and compliance",
}

P = Permission
PERMISSION_LABELS: dict[Permission, str] = {
    P.ORGANIZATION_READ: "See the organization",
    P.ORGANIZATION_SETTINGS_WRITE: "Change the organization's settings",
    P.ORGANIZATION_DELETE: "Delete the organization",
    P.MEMBERS_READ: "See the team and its roles",
    P.MEMBERS_WRITE: "Invite, remove and change members' roles",
    P.ROLES_WRITE: "Create and edit roles",
    P.API_KEYS_WRITE: "Manage API keys",
    P.AUDIT_READ: "Read the audit log",
    P.JOBS_READ: "See every job",
    P.JOBS_READ_ASSIGNED: "See the jobs assigned to them",
    P.JOBS_WRITE: "Create and edit jobs",
    P.CANDIDATES_READ: "See every candidate",
    P.CANDIDATES_READ_ASSIGNED: "See the candidates of their jobs",
    P.CANDIDATES_WRITE: "Add and edit candidates",
    P.APPLICATIONS_WRITE: "Move, reject and hire applicants",
    P.FEEDBACK_WRITE: "Write interview feedback",
    P.NOTES_READ: "Read private recruiter notes",
    P.SESSIONS_READ: "See AI interview sessions",
    P.SESSIONS_CREATE: "Start AI interview sessions",
    P.SCORES_OVERRIDE: "Override AI scores",
    P.LIBRARY_READ: "See the question library",
    P.LIBRARY_WRITE: "Edit the question library",
    P.LIBRARY_APPROVE: "Approve library questions",
    P.KITS_APPROVE: "Approve interview kits",
    P.TEMPLATES_WRITE: "Edit message templates",
    P.INVITATIONS_SEND: "Send interview invitations",
    P.MESSAGES_READ: "Read messages",
    P.MESSAGES_SEND: "Send messages",
    P.SCHEDULING_READ: "See schedules",
    P.SCHEDULING_WRITE: "Schedule interviews",
    P.MARKETPLACE_BOOK: "Book marketplace interviewers",
    P.ROOMS_JOIN: "Join interview rooms",
    P.PAYMENTS_READ: "See payments",
    P.PAYMENTS_WRITE: "Make and refund payments",
    P.ANALYTICS_READ: "See analytics",
    P.REPORTS_EXPORT: "Export reports",
    P.INTEGRATIONS_MANAGE: "Manage integrations",
    P.COMPLIANCE_MANAGE: "Manage data retention and compliance",
}

PERMISSION_LABELS_BY_VALUE: dict[str, str] = {
    p.value: label for p, label in PERMISSION_LABELS.items()
}


@dataclass(frozen=True)
class PermissionChoice:
    value: str
    label: str
    checked: bool
    # A role cannot grant what its editor lacks.
    grantable: bool


@dataclass(frozen=True)
class PermissionGroup:
    label: str
    choices: list[PermissionChoice]


def grouped_permissions(
    checked: Iterable[str], grantable: Iterable[Permission]
) -> list[PermissionGroup]:
    """Every permission, grouped by domain: `checked` ones ticked, only `grantable` ones
    selectable (the role editor, API key and personal token scopes)."""
    chosen = set(checked)
    allowed = set(grantable)
    groups: dict[str, list[PermissionChoice]] = {}
    for permission in Permission:
        domain = _DOMAINS.get(permission.value.split(":", 1)[0], "Other")
        groups.setdefault(domain, []).append(
            PermissionChoice(
                value=permission.value,
                label=PERMISSION_LABELS.get(permission, permission.value),
                checked=permission.value in chosen,
                grantable=permission in allowed,
            )
        )
    return [PermissionGroup(label, choices) for label, choices in groups.items()]
