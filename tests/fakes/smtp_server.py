"""A real SMTP server on loopback (aiosmtpd), so tests run the real SMTP client code.

It keeps every message it accepts. `fail_first=N` answers the first N deliveries with
`failure_reply` (a temporary 451 unless told otherwise) at the DATA step; `credentials` makes
it accept AUTH with that login and password only (over plain text: loopback only), and each
received email records the login it came with. `hold_first=True` keeps the first message's
DATA unanswered once the server has it in hand (`holding` is set) until `release` is set (a
client killed mid-send); the message is kept when released. `implicit_tls=True` serves SMTP
over TLS (port 465 style) with a fresh self-signed certificate for 127.0.0.1.

    with SmtpServer(fail_first=1) as server:
        settings = server.settings(test_settings)
        ...
        [email] = server.messages
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import socket
import ssl
import tempfile
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

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
        if self.server._take_hold():
            self.server.holding.set()
            # Waits on a thread, so the server keeps serving other connections meanwhile.
            await asyncio.to_thread(self.server.release.wait)
        return self.server._receive(session, envelope)


def self_signed_context(host: str) -> ssl.SSLContext:
    """A server TLS context with a new self-signed certificate for the IP address `host`."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hireflow test smtp")])
    start = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    with tempfile.TemporaryDirectory() as folder:
        cert_path, key_path = f"{folder}/cert.pem", f"{folder}/key.pem"
        with open(cert_path, "wb") as cert_file:
            cert_file.write(certificate.public_bytes(serialization.Encoding.PEM))
        with open(key_path, "wb") as key_file:
            key_file.write(
                key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
        context.load_cert_chain(cert_path, key_path)
    return context


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
        hold_first: bool = False,
        implicit_tls: bool = False,
    ) -> None:
        self.implicit_tls = implicit_tls
        self.fail_first = fail_first
        self.hold_first = hold_first
        self.holding = threading.Event()  # the held message is in hand
        self.release = threading.Event()  # set to answer it
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
        """`base` pointing at this server (loopback; TLS only with `implicit_tls`)."""
        values: dict[str, Any] = {
            "smtp_host": self.host,
            "smtp_port": self.port,
            "smtp_security": "tls" if self.implicit_tls else "none",
            "smtp_timeout_seconds": 5.0,
        }
        if self.credentials is not None:
            values["smtp_username"], values["smtp_password"] = self.credentials
        return base.model_copy(update={**values, **update})

    # --- SMTP side (runs on the server's own thread) ------------------------------------------

    def _take_hold(self) -> bool:
        with self._lock:
            if self.hold_first:
                self.hold_first = False
                return True
            return False

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
        if self.implicit_tls:
            auth["ssl_context"] = self_signed_context(self.host)
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
        self.release.set()  # never leave a held DATA behind
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
