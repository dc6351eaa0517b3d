"""A real HTTP server on loopback speaking Twilio's Messages API, so tests run the real adapter.

`POST /2010-04-01/Accounts/{sid}/Messages.json` checks HTTP basic auth (account SID and auth
token, 401 with Twilio's error 20003 otherwise), records every request's form (`To`, `From`,
`Body`) and answers 201 with a Twilio-shaped message resource. `fail_first(n, status, …)` makes
the next `n` authorized requests fail with `status` and Twilio's JSON error body.

    with FakeTwilio() as twilio:
        settings = twilio.settings(test_settings)
"""

from __future__ import annotations

import base64
import threading
import uuid
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs

from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hireflow.config import Settings
from tests.fakes.loopback import LoopbackServer

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "twilio-test-token-5f3a9c"
FROM_NUMBER = "+15005550006"


@dataclass(frozen=True)
class RecordedSms:
    account_sid: str  # from the path
    authorized: bool
    form: dict[str, str]
    status: int  # what the fake answered
    sid: str | None  # the message's sid, when one was created

    @property
    def to(self) -> str | None:
        return self.form.get("To")

    @property
    def from_(self) -> str | None:
        return self.form.get("From")

    @property
    def body(self) -> str | None:
        return self.form.get("Body")


class FakeTwilio:
    """The server; start it with `with` (or `start()`/`stop()`). Thread-safe: it runs on its own
    thread and event loop while tests call these methods from theirs."""

    def __init__(self, *, account_sid: str = ACCOUNT_SID, auth_token: str = AUTH_TOKEN) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.url = ""
        self._lock = threading.Lock()
        self._failures: list[tuple[int, int, str]] = []  # (status, Twilio code, message)
        self._requests: list[RecordedSms] = []
        self._server: LoopbackServer | None = None

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeTwilio:
        server = LoopbackServer(self._app(), "fake Twilio server")
        self.url = server.url
        server.start()
        self._server = server
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
        self._server = None

    def __enter__(self) -> FakeTwilio:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # --- test helpers ------------------------------------------------------------------------

    def settings(self, base: Settings, **update: Any) -> Settings:
        """`base` sending text messages through this server (short timeout)."""
        values: dict[str, Any] = {
            "sms_provider": "twilio",
            "twilio_account_sid": self.account_sid,
            "twilio_auth_token": SecretStr(self.auth_token),
            "twilio_from_number": FROM_NUMBER,
            "twilio_base_url": self.url,
            "sms_timeout_seconds": 5.0,
        }
        return base.model_copy(update={**values, **update})

    def fail_first(
        self,
        count: int,
        status: int = 500,
        *,
        code: int = 20500,
        message: str = "An internal server error has occurred",
    ) -> None:
        """The next `count` authorized requests fail with `status` (Twilio's error JSON)."""
        with self._lock:
            self._failures.extend([(status, code, message)] * count)

    @property
    def requests(self) -> list[RecordedSms]:
        with self._lock:
            return list(self._requests)

    @property
    def sent(self) -> list[RecordedSms]:
        """Requests that created a message."""
        return [r for r in self.requests if r.status == 201]

    # --- the app -----------------------------------------------------------------------------

    def _app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/2010-04-01/Accounts/{sid}/Messages.json", self._create, methods=["POST"]),
            ]
        )

    def _authorized(self, request: Request, sid: str) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return sid == self.account_sid and request.headers.get("authorization") == (
            f"Basic {expected}"
        )

    async def _create(self, request: Request) -> Response:
        sid = request.path_params["sid"]
        raw = (await request.body()).decode()
        form = {key: values[-1] for key, values in parse_qs(raw, keep_blank_values=True).items()}
        authorized = self._authorized(request, sid)
        if not authorized:
            return self._answer(sid, False, form, _error(401, 20003, "Authenticate"))
        with self._lock:
            failure = self._failures.pop(0) if self._failures else None
        if failure is not None:
            return self._answer(sid, True, form, _error(*failure))
        for field in ("To", "From", "Body"):
            if not form.get(field):
                error = _error(400, 21604, f"A '{field}' parameter is required.")
                return self._answer(sid, True, form, error)
        resource = {
            "sid": "SM" + uuid.uuid4().hex,
            "account_sid": sid,
            "to": form["To"],
            "from": form["From"],
            "body": form["Body"],
            "status": "queued",
            "num_segments": "1",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "error_code": None,
            "error_message": None,
            "uri": f"/2010-04-01/Accounts/{sid}/Messages.json",
        }
        response = JSONResponse(resource, status_code=201)
        return self._answer(sid, True, form, response, created=resource["sid"])

    def _answer(
        self,
        sid: str,
        authorized: bool,
        form: dict[str, str],
        response: Response,
        *,
        created: str | None = None,
    ) -> Response:
        recorded = RecordedSms(sid, authorized, form, response.status_code, created)
        with self._lock:
            self._requests.append(recorded)
        return response


def _error(status: int, code: int, message: str) -> JSONResponse:
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return JSONResponse(body, status_code=status)
