"""A real OpenAI-compatible HTTP server on loopback, so tests run the real adapter code.

`POST /v1/chat/completions` checks the bearer key, records the request and, by default, answers
correctly: it reads the task marker (`"task"`) in the user message's JSON and answers with what
the offline model would, in the reply schema, with a `usage` block. `GET /v1/models` lists the
model. Scripted replies (`script(...)`) are served first, one per chat request, to make it
misbehave: errors, 429 with Retry-After, content that is not JSON or not the schema, delays.

    with FakeOpenAI() as server:
        server.script(Scripted.error(500))
        model = OpenAICompatibleModel(server.settings(ai_max_retries=1))
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hireflow.ai.model import CallContext, InterviewBrief, Question
from hireflow.ai.offline import OfflineModel
from hireflow.ai.openai_compat import (
    CriterionFinding,
    FollowUpReply,
    QuestionsReply,
    ScoreReply,
    draft_of,
)
from hireflow.config import Settings
from tests.fakes.loopback import LoopbackServer

_NOBODY = CallContext(uuid.UUID(int=0))


@dataclass(frozen=True)
class Scripted:
    """One scripted reply: an HTTP status with a body, a chat completion whose content is
    `content` verbatim, or (neither) the correct answer — each after `delay` seconds."""

    status: int = 200
    content: str | None = None
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0

    @classmethod
    def error(cls, status: int, **headers: str) -> Scripted:
        body = {"error": {"message": f"scripted failure {status}", "type": "server_error"}}
        return cls(status=status, body=body, headers=headers)

    @classmethod
    def rate_limited(cls, retry_after: str | None = "1") -> Scripted:
        headers = {} if retry_after is None else {"Retry-After": retry_after}
        body = {"error": {"message": "Rate limit reached", "type": "rate_limit_error"}}
        return cls(status=429, body=body, headers=headers)

    @classmethod
    def not_json(cls) -> Scripted:
        return cls(content="Sure! Here are your questions: 1. Tell me about yourself.")

    @classmethod
    def wrong_schema(cls, content: dict[str, Any] | None = None) -> Scripted:
        return cls(content=json.dumps(content if content is not None else {"answer": 42}))

    @classmethod
    def slow(cls, seconds: float) -> Scripted:
        return cls(delay=seconds)


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None

    @property
    def task(self) -> str | None:
        """The task marker of a chat request."""
        payload = self.user_payload
        return None if payload is None else payload.get("task")

    @property
    def user_payload(self) -> dict[str, Any] | None:
        if not self.body:
            return None
        messages = [m for m in self.body.get("messages", []) if m.get("role") == "user"]
        if not messages:
            return None
        payload = json.loads(messages[-1]["content"])
        return payload if isinstance(payload, dict) else None


class FakeOpenAI:
    """The server; start it with `with` (or `start()`/`stop()`). Thread-safe: it runs on its own
    thread and event loop while tests call these methods from theirs."""

    def __init__(self, *, api_key: str = "test-key", model: str = "fake-model") -> None:
        self.api_key = api_key
        self.model = model
        self.base_url = ""
        self._lock = threading.Lock()
        self._script: deque[Scripted] = deque()
        self._requests: list[RecordedRequest] = []
        self._offline = OfflineModel()
        self._server: LoopbackServer | None = None

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeOpenAI:
        server = LoopbackServer(self._app(), "fake OpenAI server")
        self.base_url = f"{server.url}/v1"
        server.start()
        self._server = server
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
        self._server = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # --- test helpers ------------------------------------------------------------------------

    def settings(self, **overrides: Any) -> Settings:
        """Settings pointing hireflow's AI at this server (short timeouts, two retries)."""
        values: dict[str, Any] = {
            "ai_provider": "openai",
            "ai_base_url": self.base_url,
            "ai_api_key": self.api_key,
            "ai_model": self.model,
            "ai_timeout_seconds": 5.0,
            "ai_max_retries": 2,
        }
        values.update(overrides)
        return Settings(**values)

    def script(self, *replies: Scripted) -> None:
        """Serve these replies, in order, to the next chat requests (then answer correctly)."""
        with self._lock:
            self._script.extend(replies)

    def reset(self) -> None:
        with self._lock:
            self._script.clear()
            self._requests.clear()

    @property
    def requests(self) -> list[RecordedRequest]:
        """Chat requests received (scripted failures and refused keys included)."""
        with self._lock:
            return [r for r in self._requests if r.path.endswith("/chat/completions")]

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._script)

    # --- the app -----------------------------------------------------------------------------

    def _app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/v1/chat/completions", self._chat, methods=["POST"]),
                Route("/v1/models", self._models, methods=["GET"]),
            ]
        )

    def _authorized(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.api_key}"

    def _record(self, request: Request, body: dict[str, Any] | None) -> None:
        recorded = RecordedRequest(request.method, request.url.path, dict(request.headers), body)
        with self._lock:
            self._requests.append(recorded)

    async def _models(self, request: Request) -> Response:
        self._record(request, None)
        if not self._authorized(request):
            return _unauthorized()
        return JSONResponse(
            {"object": "list", "data": [{"id": self.model, "object": "model", "owned_by": "fake"}]}
        )

    async def _chat(self, request: Request) -> Response:
        try:
            body = json.loads(await request.body())
        except ValueError:
            body = None
        self._record(request, body if isinstance(body, dict) else None)
        if not self._authorized(request):
            return _unauthorized()
        if not isinstance(body, dict) or body.get("model") != self.model:
            return JSONResponse(
                {"error": {"message": "unknown model", "type": "invalid_request_error"}},
                status_code=404,
            )
        with self._lock:
            scripted = self._script.popleft() if self._script else Scripted()
        if scripted.delay:
            await asyncio.sleep(scripted.delay)
        if scripted.status != 200 or scripted.body is not None:
            return JSONResponse(
                scripted.body or {}, status_code=scripted.status, headers=scripted.headers
            )
        content = scripted.content
        if content is None:
            content = await self._answer(body)
        prompt_tokens = max(1, len(json.dumps(body.get("messages", []))) // 4)
        completion_tokens = max(1, len(content) // 4)
        return JSONResponse(
            {
                "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": self.model,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": completion_tokens,
                    "total_tokens": prompt_tokens + completion_tokens,
                },
            }
        )

    async def _answer(self, body: dict[str, Any]) -> str:
        """The correct answer to a chat request: the offline model's, in the reply schema."""
        messages = [m for m in body.get("messages", []) if m.get("role") == "user"]
        payload = json.loads(messages[-1]["content"])
        task = payload["task"]
        if task == "generate_questions":
            questions = await self._offline.generate_questions(_brief(payload["brief"]), _NOBODY)
            reply: Any = QuestionsReply(questions=[draft_of(q) for q in questions])
        elif task == "follow_up":
            question = Question.model_validate(payload["question"])
            follow_up = await self._offline.follow_up(
                _brief(payload["brief"]), question, payload["answer"], _NOBODY
            )
            reply = FollowUpReply(follow_up=None if follow_up is None else draft_of(follow_up))
        elif task == "score_answer":
            question = Question.model_validate(payload["question"])
            score = await self._offline.score_answer(question, payload["answer"], _NOBODY)
            reply = ScoreReply(
                score=score.score,
                reason=score.reason,
                criteria=[
                    CriterionFinding(key=c.key, met=c.met, quote=c.quote) for c in score.criteria
                ],
                quotes=list(score.quotes),
                flags=[f for f in score.flags if f in ("empty", "gibberish", "off-topic")],
            )
        else:
            raise ValueError(f"unknown task {task!r}")
        return str(reply.model_dump_json())


def _brief(data: dict[str, Any]) -> InterviewBrief:
    return InterviewBrief(
        target_role=data["target_role"],
        job_description=data.get("job_description") or "",
        skills=tuple(data.get("skills") or ()),
        stage=data.get("stage"),
        session_goal=data.get("session_goal"),
        confidence_baseline=data.get("confidence_baseline"),
        question_count=data["question_count"],
        coding_language=data.get("coding_language"),
        seed=data.get("seed") or 0,
    )


def _unauthorized() -> Response:
    return JSONResponse(
        {"error": {"message": "Incorrect API key provided.", "type": "invalid_request_error"}},
        status_code=401,
    )
