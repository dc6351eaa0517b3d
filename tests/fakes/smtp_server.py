"""A real SMTP server on loopback (aiosmtpd), so tests run the real SMTP client code.

It keeps every message it accepts. `fail_first=N` answers the first N deliveries with
`failure_reply` (a temporary 451 unless told otherwise) at the DATA step; `credentials` makes
it accept AUTH with that login and password only (over plain text: loopback only), and each
received email records the login it came with.

    with SmtpServer(fail_first=1) as server:
        settings = server.settings(test_settings)
        ...
        [email] = server.messages
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from hireflow.config import Settings

TEMPORARY_FAILURE = "451 4.3.0 Temporary failure, try again later"


@dataclass(frozen=True)
class ReceivedEmail:
    envelope_from: str
    recipients: list[str]
    message: EmailMessage
    login: str | None  # who authenticated, if anyone


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_DATA(self, smtp: SMTP, session: Session, envelope: Envelope) -> str:
        return self.server._receive(session, envelope)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmtpServer:
    def __init__(
        self,
        *,
        fail_first: int = 0,
        failure_reply: str = TEMPORARY_FAILURE,
        credentials: tuple[str, str] | None = None,
    ) -> None:
        self.fail_first = fail_first
        self.failure_reply = failure_reply
        self.credentials = credentials
        self.host = "127.0.0.1"
        self.port = 0
        self.attempts = 0  # DATA commands seen, refused ones included
        self._received: list[ReceivedEmail] = []
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    # --- what it received ---------------------------------------------------------------------

    @property
    def received(self) -> list[ReceivedEmail]:
        with self._lock:
            return list(self._received)

    @property
    def messages(self) -> list[EmailMessage]:
        return [r.message for r in self.received]

    def settings(self, base: Settings, **update: Any) -> Settings:
        """`base` pointing at this server (no TLS; loopback)."""
        values: dict[str, Any] = {
            "smtp_host": self.host,
            "smtp_port": self.port,
            "smtp_security": "none",
            "smtp_timeout_seconds": 5.0,
        }
        if self.credentials is not None:
            values["smtp_username"], values["smtp_password"] = self.credentials
        return base.model_copy(update={**values, **update})

    # --- SMTP side (runs on the server's own thread) ------------------------------------------

    def _receive(self, session: Session, envelope: Envelope) -> str:
        with self._lock:
            self.attempts += 1
            if self.fail_first > 0:
                self.fail_first -= 1
                return self.failure_reply
            content = envelope.original_content or envelope.content or b""
            raw = content if isinstance(content, bytes) else content.encode()
            message = message_from_bytes(raw, policy=policy.default)
            self._received.append(
                ReceivedEmail(
                    envelope_from=str(envelope.mail_from),
                    recipients=list(envelope.rcpt_tos),
                    message=message,
                    login=session.auth_data.login.decode()
                    if isinstance(session.auth_data, LoginPassword)
                    else None,
                )
            )
        return "250 2.0.0 OK: queued"

    def _authenticate(
        self, smtp: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        expected = self.credentials
        ok = (
            expected is not None
            and isinstance(auth_data, LoginPassword)
            and (auth_data.login.decode(), auth_data.password.decode()) == expected
        )
        # handled=False: aiosmtpd answers 235 or 535 itself.
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    # --- lifecycle ----------------------------------------------------------------------------

    def start(self) -> None:
        auth: dict[str, Any] = {}
        if self.credentials is not None:
            auth = {"authenticator": self._authenticate, "auth_require_tls": False}
        for _ in range(5):  # another process may take the free port first
            self.port = _free_port()
            controller = Controller(_Handler(self), hostname=self.host, port=self.port, **auth)
            try:
                controller.start()
            except OSError:
                continue
            self._controller = controller
            return
        raise RuntimeError("could not start the SMTP server on a free port")

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> SmtpServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
