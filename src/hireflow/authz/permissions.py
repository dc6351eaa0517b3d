"""Permissions are data: this enum names every action a role can grant, and the system roles
below say which each grants. Custom roles are rows holding a subset of the enum's values.

The system roles are also rows (seeded by a migration), so queries and custom roles treat them
alike; a test checks that the rows and `SYSTEM_ROLES` agree.
"""

from __future__ import annotations

from enum import StrEnum


class Permission(StrEnum):
    # Organization and access
    ORGANIZATION_READ = "organization:read"
    ORGANIZATION_SETTINGS_WRITE = "organization:settings:write"
    ORGANIZATION_DELETE = "organization:delete"
    MEMBERS_READ = "members:read"
    MEMBERS_WRITE = "members:write"  # invite, change role, remove
    ROLES_WRITE = "roles:write"
    API_KEYS_WRITE = "api_keys:write"
    AUDIT_READ = "audit:read"
    # ATS: jobs, candidates, applications
    JOBS_READ = "jobs:read"  # every job of the organization
    JOBS_READ_ASSIGNED = "jobs:read:assigned"  # only jobs assigned to the member
    JOBS_WRITE = "jobs:write"
    CANDIDATES_READ = "candidates:read"
    CANDIDATES_READ_ASSIGNED = "candidates:read:assigned"  # candidates of assigned jobs
    CANDIDATES_WRITE = "candidates:write"
    APPLICATIONS_WRITE = "applications:write"  # move, reject, hire
    FEEDBACK_WRITE = "feedback:write"
    NOTES_READ = "notes:read"  # private recruiter notes
    # AI interviews
    SESSIONS_READ = "sessions:read"
    SESSIONS_CREATE = "sessions:create"
    SCORES_OVERRIDE = "scores:override"
    # Library and interview kits
    LIBRARY_READ = "library:read"
    LIBRARY_WRITE = "library:write"
    LIBRARY_APPROVE = "library:approve"
    KITS_APPROVE = "kits:approve"
    # Notifications and messaging
    TEMPLATES_WRITE = "templates:write"
    INVITATIONS_SEND = "invitations:send"
    MESSAGES_READ = "messages:read"
    MESSAGES_SEND = "messages:send"
    # Scheduling, marketplace, rooms
    SCHEDULING_READ = "scheduling:read"
    SCHEDULING_WRITE = "scheduling:write"
    MARKETPLACE_BOOK = "marketplace:book"
    ROOMS_JOIN = "rooms:join"
    # Money
    PAYMENTS_READ = "payments:read"
    PAYMENTS_WRITE = "payments:write"
    # Analytics, integrations, compliance
    ANALYTICS_READ = "analytics:read"
    REPORTS_EXPORT = "reports:export"
    INTEGRATIONS_MANAGE = "integrations:manage"
    COMPLIANCE_MANAGE = "compliance:manage"


P = Permission
ALL = frozenset(Permission)

_HIRING = frozenset(
    {
        P.ORGANIZATION_READ,
        P.MEMBERS_READ,
        P.JOBS_READ,
        P.JOBS_WRITE,
        P.CANDIDATES_READ,
        P.CANDIDATES_WRITE,
        P.APPLICATIONS_WRITE,
        P.FEEDBACK_WRITE,
        P.NOTES_READ,
        P.SESSIONS_READ,
        P.SESSIONS_CREATE,
        P.SCORES_OVERRIDE,
        P.LIBRARY_READ,
        P.LIBRARY_WRITE,
        P.LIBRARY_APPROVE,
        P.KITS_APPROVE,
        P.INVITATIONS_SEND,
        P.MESSAGES_READ,
        P.MESSAGES_SEND,
        P.SCHEDULING_READ,
        P.SCHEDULING_WRITE,
        P.MARKETPLACE_BOOK,
        P.ROOMS_JOIN,
        P.ANALYTICS_READ,
        P.REPORTS_EXPORT,
    }
)

SYSTEM_ROLES: dict[str, tuple[str, frozenset[Permission]]] = {
    "owner": ("Owner", ALL),
    "admin": ("Admin", ALL - {P.ORGANIZATION_DELETE}),
    # The seed's "manager": full jobs, the team's candidates, views the team.
    "hiring_manager": ("Hiring manager", _HIRING),
    # Recruiters see the jobs assigned to them and those jobs' candidates.
    "recruiter": (
        "Recruiter",
        frozenset(
            {
                P.ORGANIZATION_READ,
                P.JOBS_READ_ASSIGNED,
                P.JOBS_WRITE,
                P.CANDIDATES_READ_ASSIGNED,
                P.CANDIDATES_WRITE,
                P.APPLICATIONS_WRITE,
                P.FEEDBACK_WRITE,
                P.NOTES_READ,
                P.SESSIONS_READ,
                P.SESSIONS_CREATE,
                P.LIBRARY_READ,
                P.LIBRARY_WRITE,
                P.INVITATIONS_SEND,
                P.MESSAGES_READ,
                P.MESSAGES_SEND,
                P.SCHEDULING_READ,
                P.SCHEDULING_WRITE,
                P.MARKETPLACE_BOOK,
                P.ROOMS_JOIN,
            }
        ),
    ),
    "interviewer": (
        "Interviewer",
        frozenset(
            {
                P.ORGANIZATION_READ,
                P.JOBS_READ_ASSIGNED,
                P.CANDIDATES_READ_ASSIGNED,
                P.FEEDBACK_WRITE,
                P.SESSIONS_READ,
                P.LIBRARY_READ,
                P.SCHEDULING_READ,
                P.ROOMS_JOIN,
            }
        ),
    ),
    "viewer": (
        "Viewer",
        frozenset(
            {
                P.ORGANIZATION_READ,
                P.MEMBERS_READ,
                P.JOBS_READ,
                P.CANDIDATES_READ,
                P.SESSIONS_READ,
                P.LIBRARY_READ,
                P.SCHEDULING_READ,
                P.ANALYTICS_READ,
            }
        ),
    ),
    "scheduler": (
        "Scheduler",
        frozenset(
            {
                P.ORGANIZATION_READ,
                P.JOBS_READ,
                P.CANDIDATES_READ,
                P.SCHEDULING_READ,
                P.SCHEDULING_WRITE,
                P.MARKETPLACE_BOOK,
                P.ROOMS_JOIN,
                P.MESSAGES_SEND,
            }
        ),
    ),
    "billing_manager": (
        "Billing manager",
        frozenset(
            {
                P.ORGANIZATION_READ,
                P.PAYMENTS_READ,
                P.PAYMENTS_WRITE,
                P.MARKETPLACE_BOOK,
                P.ANALYTICS_READ,
                P.REPORTS_EXPORT,
            }
        ),
    ),
    # A guest who only exchanges messages (ClearView's DEI consultant).
    "dei_consultant": ("DEI consultant", frozenset({P.MESSAGES_READ, P.MESSAGES_SEND})),
}

# Roles whose members must use MFA (with platform admins).
MFA_REQUIRED_ROLES = frozenset({"owner", "admin"})
