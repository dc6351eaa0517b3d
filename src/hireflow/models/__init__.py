"""All ORM tables, one module per aggregate; imported here so metadata is complete."""

from hireflow.models.audit_event import AuditEvent
from hireflow.models.base import Base
from hireflow.models.membership import Membership
from hireflow.models.organization import Organization
from hireflow.models.role import Role
from hireflow.models.throttle_hit import ThrottleHit
from hireflow.models.user import User
from hireflow.models.user_session import UserSession

__all__ = [
    "AuditEvent",
    "Base",
    "Membership",
    "Organization",
    "Role",
    "ThrottleHit",
    "User",
    "UserSession",
]
