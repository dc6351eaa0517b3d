"""All ORM tables, one module per aggregate; imported here so metadata is complete."""

from hireflow.models.api_token import ApiToken
from hireflow.models.audit_event import AuditEvent
from hireflow.models.base import Base
from hireflow.models.invitation import Invitation
from hireflow.models.membership import Membership
from hireflow.models.one_time_token import OneTimeToken
from hireflow.models.organization import Organization
from hireflow.models.organization_setting import OrganizationSetting
from hireflow.models.outbox_message import OutboxMessage
from hireflow.models.recovery_code import RecoveryCode
from hireflow.models.role import Role
from hireflow.models.sso import SsoDomain, UserIdentity
from hireflow.models.throttle_hit import ThrottleHit
from hireflow.models.user import User
from hireflow.models.user_session import UserSession

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Base",
    "Invitation",
    "Membership",
    "OneTimeToken",
    "Organization",
    "OrganizationSetting",
    "OutboxMessage",
    "RecoveryCode",
    "Role",
    "SsoDomain",
    "ThrottleHit",
    "User",
    "UserIdentity",
    "UserSession",
]
