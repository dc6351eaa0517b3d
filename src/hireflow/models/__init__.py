"""All ORM tables, one module per aggregate; imported here so metadata is complete."""

from hireflow.models.ai_usage import AiUsage
from hireflow.models.api_token import ApiToken
from hireflow.models.application import (
    Application,
    ApplicationEvent,
    ApplicationFeedback,
    ApplicationNote,
)
from hireflow.models.audit_event import AuditEvent
from hireflow.models.base import Base
from hireflow.models.candidate import (
    Candidate,
    CandidateAccount,
    CandidateConsent,
    CandidateEvent,
    SavedJob,
)
from hireflow.models.document import Document
from hireflow.models.idempotency import IdempotencyRecord
from hireflow.models.import_batch import ImportBatch
from hireflow.models.interview import (
    InterviewEvent,
    InterviewInvite,
    InterviewSession,
    InterviewSessionNote,
)
from hireflow.models.invitation import Invitation
from hireflow.models.job import Job, JobAssignment, JobStage, JobTemplate, JobVersion, StageTemplate
from hireflow.models.library import CodeRun, InterviewKit, LibraryItem, LibraryItemVersion
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
    "AiUsage",
    "ApiToken",
    "Application",
    "ApplicationEvent",
    "ApplicationFeedback",
    "ApplicationNote",
    "AuditEvent",
    "Base",
    "Candidate",
    "CandidateAccount",
    "CandidateConsent",
    "CandidateEvent",
    "CodeRun",
    "Document",
    "IdempotencyRecord",
    "ImportBatch",
    "InterviewEvent",
    "InterviewInvite",
    "InterviewKit",
    "InterviewSession",
    "InterviewSessionNote",
    "Invitation",
    "Job",
    "JobAssignment",
    "JobStage",
    "JobTemplate",
    "JobVersion",
    "LibraryItem",
    "LibraryItemVersion",
    "Membership",
    "OneTimeToken",
    "Organization",
    "OrganizationSetting",
    "OutboxMessage",
    "RecoveryCode",
    "Role",
    "SavedJob",
    "SsoDomain",
    "StageTemplate",
    "ThrottleHit",
    "User",
    "UserIdentity",
    "UserSession",
]
