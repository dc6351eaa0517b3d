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
from hireflow.models.email_template import EmailSuppression, EmailTemplate
from hireflow.models.idempotency import IdempotencyRecord
from hireflow.models.import_batch import ImportBatch
from hireflow.models.interview import (
    InterviewEvent,
    InterviewInvite,
    InterviewSession,
    InterviewSessionNote,
)
from hireflow.models.interview_invitation import InterviewInvitation, InvitationRule
from hireflow.models.invitation import Invitation
from hireflow.models.job import Job, JobAssignment, JobStage, JobTemplate, JobVersion, StageTemplate
from hireflow.models.library import CodeRun, InterviewKit, LibraryItem, LibraryItemVersion
from hireflow.models.membership import Membership
from hireflow.models.notification import Notification
from hireflow.models.one_time_token import OneTimeToken
from hireflow.models.organization import Organization
from hireflow.models.organization_setting import OrganizationSetting
from hireflow.models.outbox_message import OutboxAttempt, OutboxMessage, SmsMessage
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
    "EmailSuppression",
    "EmailTemplate",
    "IdempotencyRecord",
    "ImportBatch",
    "InterviewEvent",
    "InterviewInvitation",
    "InterviewInvite",
    "InterviewKit",
    "InterviewSession",
    "InterviewSessionNote",
    "Invitation",
    "InvitationRule",
    "Job",
    "JobAssignment",
    "JobStage",
    "JobTemplate",
    "JobVersion",
    "LibraryItem",
    "LibraryItemVersion",
    "Membership",
    "Notification",
    "OneTimeToken",
    "Organization",
    "OrganizationSetting",
    "OutboxAttempt",
    "OutboxMessage",
    "RecoveryCode",
    "Role",
    "SavedJob",
    "SmsMessage",
    "SsoDomain",
    "StageTemplate",
    "ThrottleHit",
    "User",
    "UserIdentity",
    "UserSession",
]
