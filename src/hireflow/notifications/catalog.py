"""Every kind of email the product sends: what it is for, whether it is transactional, whether an
organization may customize it, the variables its template may use (with sample values for
previews) and the default subject, text and HTML.

Templates use the bounded language of `notifications.rendering`. The HTML body is the inner
content only: rendering wraps it in the branded layout and adds the footer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from hireflow.errors import NotFound

# Available to every organization's mail (its branding), on top of a kind's own variables.
BRANDING_VARIABLES: Mapping[str, str] = MappingProxyType(
    {
        "organization_name": "The organization's name.",
        "brand_color": "The organization's brand colour (#RRGGBB).",
        "logo_url": "The address of the organization's logo, or empty.",
    }
)
BRANDING_SAMPLES: Mapping[str, str] = MappingProxyType(
    {"organization_name": "Initech", "brand_color": "#3b4fd8", "logo_url": ""}
)


@dataclass(frozen=True)
class MessageKind:
    key: str
    label: str
    description: str
    # Transactional mail (verification, resets, receipts) ignores unsubscribes and carries no
    # unsubscribe link; the rest honours them.
    transactional: bool
    # Whether an organization may replace the default with its own template.
    organization_scoped: bool
    # The kind's own variables: name → what it holds. Callers must give every one.
    variables: Mapping[str, str]
    samples: Mapping[str, str | int]
    subject: str
    text: str
    html: str

    @property
    def allowed_variables(self) -> Mapping[str, str]:
        """What a template of this kind may use: its variables, and the branding for
        organization mail."""
        if not self.organization_scoped:
            return self.variables
        return {**self.variables, **BRANDING_VARIABLES}

    @property
    def sample_values(self) -> dict[str, str | int]:
        return {**BRANDING_SAMPLES, **self.samples}


_INTERVIEW_VARIABLES = {
    "candidate_name": "The candidate's name.",
    "organization_name": "The organization's name.",
    "role": "The job the interview is for.",
    "link": "The address of the interview.",
    "expires_at": "When the link stops working (already formatted).",
    "duration_minutes": "How long the interview takes, in minutes.",
    "message": "The recruiter's personal note (may be empty).",
    "sender_name": "Who sent the invitation.",
}
_INTERVIEW_SAMPLES: dict[str, str | int] = {
    "candidate_name": "Grace Hopper",
    "organization_name": "Initech",
    "role": "Backend engineer",
    "link": "https://hireflow.example/interview/sample",
    "expires_at": "2026-12-01 17:00 UTC",
    "duration_minutes": 30,
    "message": "Looking forward to hearing from you!",
    "sender_name": "Ada Lovelace",
}

_KINDS = [
    MessageKind(
        key="verify_email",
        label="Confirm an email address",
        description="Sent after signing up, with the link that confirms the address.",
        transactional=True,
        organization_scoped=False,
        variables={"user_name": "The person's name.", "link": "The confirmation link."},
        samples={"user_name": "Ada Lovelace", "link": "https://hireflow.example/verify-email"},
        subject="Confirm your email address",
        text=(
            "Hello {{ user_name }},\n\nConfirm your email address to start using hireflow:\n"
            "{{ link }}\n\nThe link works once, for 48 hours. If you did not sign up, ignore "
            "this message.\n"
        ),
        html=(
            "<p>Hello {{ user_name }},</p>\n<p>Confirm your email address to start using "
            'hireflow:</p>\n<p><a href="{{ link }}">Confirm my address</a></p>\n'
            "<p>The link works once, for 48 hours. If you did not sign up, ignore this "
            "message.</p>\n"
        ),
    ),
    MessageKind(
        key="account_exists",
        label="Sign-up with a taken address",
        description="Sent to an address that already has an account when someone signs up "
        "with it again.",
        transactional=True,
        organization_scoped=False,
        variables={
            "user_name": "The account holder's name.",
            "login_url": "The sign-in page.",
            "attempted": "What was tried, such as: register “Acme” on hireflow.",
        },
        samples={
            "user_name": "Ada Lovelace",
            "login_url": "https://hireflow.example/login",
            "attempted": "register “Acme” on hireflow",
        },
        subject="Someone tried to sign up with your address",
        text=(
            "Hello {{ user_name }},\n\nSomeone (maybe you) tried to {{ attempted }} with this "
            "address, which already has an account. Sign in at {{ login_url }}, or reset your "
            "password there.\n"
        ),
        html=(
            "<p>Hello {{ user_name }},</p>\n<p>Someone (maybe you) tried to {{ attempted }} "
            "with this address, which already has an account.</p>\n"
            '<p><a href="{{ login_url }}">Sign in</a>, or reset your password there.</p>\n'
        ),
    ),
    MessageKind(
        key="reset_password",
        label="Reset a password",
        description="Sent when someone asks to reset their password.",
        transactional=True,
        organization_scoped=False,
        variables={"user_name": "The person's name.", "link": "The reset link."},
        samples={"user_name": "Ada Lovelace", "link": "https://hireflow.example/reset-password"},
        subject="Reset your hireflow password",
        text=(
            "Hello {{ user_name }},\n\nChoose a new password here:\n{{ link }}\n\nThe link "
            "works once, for one hour. If you did not ask for it, ignore this message: your "
            "password stays as it is.\n"
        ),
        html=(
            "<p>Hello {{ user_name }},</p>\n"
            '<p><a href="{{ link }}">Choose a new password</a></p>\n'
            "<p>The link works once, for one hour. If you did not ask for it, ignore this "
            "message: your password stays as it is.</p>\n"
        ),
    ),
    MessageKind(
        key="team_invitation",
        label="Team invitation",
        description="Invites someone to join the organization's team.",
        transactional=True,
        organization_scoped=True,
        variables={
            "inviter_line": "Who invites: “Ada invited you” or “You are invited”.",
            "organization_name": "The organization's name.",
            "role_name": "The role the person will have.",
            "link": "The link that accepts the invitation.",
        },
        samples={
            "inviter_line": "Ada Lovelace invited you",
            "organization_name": "Initech",
            "role_name": "Recruiter",
            "link": "https://hireflow.example/invitations/accept",
        },
        subject="{{ inviter_line }} to {{ organization_name }} on hireflow",
        text=(
            "Hello,\n\n{{ inviter_line }} to join {{ organization_name }} on hireflow as "
            "{{ role_name }}.\n\nAccept the invitation here:\n{{ link }}\n\nThe link works "
            "once, for 7 days.\n"
        ),
        html=(
            "<p>Hello,</p>\n<p>{{ inviter_line }} to join {{ organization_name }} on hireflow "
            "as {{ role_name }}.</p>\n"
            '<p><a href="{{ link }}">Accept the invitation</a></p>\n'
            "<p>The link works once, for 7 days.</p>\n"
        ),
    ),
    MessageKind(
        key="interview_invitation",
        label="Interview invitation",
        description="Invites a candidate to an interview.",
        transactional=False,
        organization_scoped=True,
        variables=_INTERVIEW_VARIABLES,
        samples=_INTERVIEW_SAMPLES,
        subject="Your interview with {{ organization_name }}: {{ role }}",
        text=(
            "Hello {{ candidate_name }},\n\n{{ sender_name }} invites you to an interview for "
            "{{ role }} at {{ organization_name }}. It takes about {{ duration_minutes }} "
            "minutes.\n{% if message %}\n{{ message }}\n{% endif %}\nStart when you are ready:\n"
            "{{ link }}\n\nThe link works until {{ expires_at }}.\n"
        ),
        html=(
            "<p>Hello {{ candidate_name }},</p>\n<p>{{ sender_name }} invites you to an "
            "interview for {{ role }} at {{ organization_name }}. It takes about "
            "{{ duration_minutes }} minutes.</p>\n"
            "{% if message %}<blockquote>{{ message }}</blockquote>\n{% endif %}"
            '<p><a href="{{ link }}">Start the interview</a></p>\n'
            "<p>The link works until {{ expires_at }}.</p>\n"
        ),
    ),
    MessageKind(
        key="interview_reminder",
        label="Interview reminder",
        description="Reminds a candidate of an interview they have not taken yet.",
        transactional=False,
        organization_scoped=True,
        variables={**_INTERVIEW_VARIABLES, "hours_left": "Hours until the link expires."},
        samples={**_INTERVIEW_SAMPLES, "hours_left": 24},
        subject="Reminder: your interview with {{ organization_name }}",
        text=(
            "Hello {{ candidate_name }},\n\nA reminder: your interview for {{ role }} at "
            "{{ organization_name }} is waiting. The link works for {{ hours_left }} more "
            "hours, until {{ expires_at }}.\n\nStart here:\n{{ link }}\n"
        ),
        html=(
            "<p>Hello {{ candidate_name }},</p>\n<p>A reminder: your interview for {{ role }} "
            "at {{ organization_name }} is waiting. The link works for {{ hours_left }} more "
            "hours, until {{ expires_at }}.</p>\n"
            '<p><a href="{{ link }}">Start the interview</a></p>\n'
        ),
    ),
    MessageKind(
        key="interview_completed",
        label="Interview completed",
        description="The candidate's receipt after finishing an interview.",
        transactional=True,
        organization_scoped=True,
        variables={
            "candidate_name": "The candidate's name.",
            "organization_name": "The organization's name.",
            "role": "The job the interview was for.",
        },
        samples={
            "candidate_name": "Grace Hopper",
            "organization_name": "Initech",
            "role": "Backend engineer",
        },
        subject="Thank you for your interview with {{ organization_name }}",
        text=(
            "Hello {{ candidate_name }},\n\nThank you: your interview for {{ role }} at "
            "{{ organization_name }} is complete and was handed to the team. They will be in "
            "touch.\n"
        ),
        html=(
            "<p>Hello {{ candidate_name }},</p>\n<p>Thank you: your interview for {{ role }} "
            "at {{ organization_name }} is complete and was handed to the team. They will be "
            "in touch.</p>\n"
        ),
    ),
]

CATALOG: Mapping[str, MessageKind] = MappingProxyType({kind.key: kind for kind in _KINDS})


def get_kind(key: str) -> MessageKind:
    """The kind named `key`, or `NotFound`."""
    kind = CATALOG.get(key)
    if kind is None:
        raise NotFound("No email kind has this name.")
    return kind
