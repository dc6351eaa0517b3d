"""Fixtures for the AI tests: the fake OpenAI-compatible server (one per test session, reset for
each test) and adapters pointed at it that wait only briefly between retries."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest

from hireflow.ai.model import CallContext
from hireflow.ai.openai_compat import OpenAICompatibleModel
from hireflow.ai.usage import UsageMeter
from tests.fakes.openai_server import FakeOpenAI


@pytest.fixture(scope="session")
def _fake_openai() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def openai_server(_fake_openai: FakeOpenAI) -> Iterator[FakeOpenAI]:
    """The fake server, answering correctly, with no request recorded yet."""
    _fake_openai.reset()
    yield _fake_openai
    _fake_openai.reset()


class SleepLog:
    """Records the waits between retries instead of waiting (no test waits for real)."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleeps() -> SleepLog:
    return SleepLog()


def adapter(
    server: FakeOpenAI,
    sleeps: SleepLog | None = None,
    meter: UsageMeter | None = None,
    **settings: object,
) -> OpenAICompatibleModel:
    model = OpenAICompatibleModel(
        server.settings(**settings),
        meter,
        backoff_seconds=0.01,
        retry_after_cap_seconds=5.0,
        sleep=sleeps if sleeps is not None else asyncio.sleep,
    )
    return model


@pytest.fixture
def call() -> CallContext:
    return CallContext(organization_id=uuid.uuid4())


BACKEND_JD = """\
Senior Backend Engineer — Payments

We are a 60-person fintech company building the payments platform small businesses use to get
paid. You will join a team of six engineers that owns the ledger and the payout services.

What you will do
- Design, build and operate services in Python and Go that move money reliably.
- Own features end to end: from the design document to production monitoring.
- Keep our PostgreSQL schemas fast and correct as volumes grow; work with Kafka and Redis.
- Deploy with Docker and Kubernetes on AWS; infrastructure is managed with Terraform.
- Improve our CI/CD pipeline and our observability (metrics, tracing, alerts).
- Review code, mentor other engineers and take part in the on-call rotation.

What you bring
- Five or more years building backend systems in production.
- Solid SQL and data modelling; experience with REST APIs and event-driven systems.
- A habit of writing tests and thinking about failure modes and security.
- Good written communication: you explain trade-offs clearly to engineers and non-engineers.
"""

PRODUCT_JD = """\
Product Manager — Growth

We build scheduling software for clinics. As our Growth PM you own activation and retention for
new clinics, working with a designer, five engineers and a data analyst.

What you will do
- Run product discovery: customer interviews, funnel analysis and experiments.
- Own the roadmap for onboarding and activation, and make the prioritization calls.
- Write clear requirements and user stories with the team, and track OKRs.
- Plan launches with marketing and sales (go-to-market), and measure the outcome.
- Work with stakeholders across support, sales and leadership.

What you bring
- Three or more years as a product manager in B2B SaaS.
- Comfort with product analytics (Amplitude or Mixpanel) and A/B testing.
- Strong communication, and a habit of saying no with reasons.
"""
