"""`hireflow bench-data`: a large, deterministic data set for the ATS benchmarks.

By default 1,000 organizations, 200,000 candidates and 1,000,000 applications (with one
`applied` event each). The first organization (`bench-0000`) is the heavy one: a tenth of the
candidates and applications over 20 jobs (about 5,000 applications per job), so the pipeline and
search benchmarks measure a busy tenant, not an average one. The others share the rest, ten jobs
each. Rows are written with COPY; resume texts are drawn from a fixed vocabulary with a skewed
(Zipf-like) distribution, so some words are common and others rare, as in real resumes.

A member of the heavy organization signs in to run the benchmarks: `BENCH_EMAIL` with the demo
password (a hiring manager: no second factor). Running it again on a loaded database does
nothing (the organization `bench-0000` marks a finished load; a load is one transaction).
"""

from __future__ import annotations

import itertools
import json
import random
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from hireflow.applications.stages import DEFAULT_STAGES
from hireflow.authz.permissions import SYSTEM_ROLES
from hireflow.kit.passwords import hash_password

BENCH_SLUG_PREFIX = "bench-"
HEAVY_SLUG = "bench-0000"
BENCH_EMAIL = "bench@bench-0000.test"
HEAVY_JOBS = 20
JOBS_PER_ORGANIZATION = 10
APPLICATIONS_PER_CANDIDATE = 5
HEAVY_SHARE = 0.1

SKILLS = [
    "Python",
    "JavaScript",
    "TypeScript",
    "Go",
    "Rust",
    "Java",
    "Kotlin",
    "Swift",
    "Ruby",
    "PHP",
    "Scala",
    "Elixir",
    "C++",
    "SQL",
    "PostgreSQL",
    "MySQL",
    "Redis",
    "Kafka",
    "RabbitMQ",
    "Docker",
    "Kubernetes",
    "Terraform",
    "AWS",
    "GCP",
    "Azure",
    "Linux",
    "React",
    "Vue",
    "Angular",
    "Django",
    "FastAPI",
    "Flask",
    "Spring",
    "Rails",
    "Node.js",
    "GraphQL",
    "REST",
    "gRPC",
    "Pandas",
    "NumPy",
    "PyTorch",
    "TensorFlow",
    "Spark",
    "Airflow",
    "dbt",
    "Tableau",
    "Figma",
    "Photoshop",
    "Excel",
    "Salesforce",
    "SAP",
    "Jira",
    "Scrum",
    "Kanban",
    "Negotiation",
    "Leadership",
    "Accounting",
    "Marketing",
    "Sales",
    "Recruiting",
    "Nursing",
]
FIRST = [
    "Ada",
    "Alan",
    "Grace",
    "Linus",
    "Barbara",
    "Ken",
    "Margaret",
    "Dennis",
    "Frances",
    "Edsger",
    "Radia",
    "Tim",
    "Hedy",
    "John",
    "Katherine",
    "Donald",
    "Sophie",
    "Niklaus",
    "Shafi",
    "Leslie",
    "Mary",
    "Guido",
    "Anita",
    "Bjarne",
    "Yukihiro",
    "Lynn",
    "Vint",
    "Jean",
    "Evelyn",
    "Tomas",
    "Aisha",
    "Mateo",
    "Priya",
    "Chen",
    "Olga",
    "Kwame",
    "Lucia",
    "Omar",
    "Ingrid",
    "Hiro",
    "Fatima",
    "Pablo",
    "Zara",
    "Nikolai",
    "Amara",
    "Diego",
    "Mei",
    "Sven",
    "Leila",
    "Rafael",
]
LAST = [
    "Lovelace",
    "Turing",
    "Hopper",
    "Torvalds",
    "Liskov",
    "Thompson",
    "Hamilton",
    "Ritchie",
    "Allen",
    "Dijkstra",
    "Perlman",
    "Berners-Lee",
    "Lamarr",
    "McCarthy",
    "Johnson",
    "Knuth",
    "Wilson",
    "Wirth",
    "Goldwasser",
    "Lamport",
    "Shaw",
    "Rossum",
    "Borg",
    "Stroustrup",
    "Matsumoto",
    "Conway",
    "Cerf",
    "Sammet",
    "Boyd",
    "Novak",
    "Okafor",
    "Garcia",
    "Sharma",
    "Wang",
    "Petrova",
    "Mensah",
    "Fernandez",
    "Haddad",
    "Larsen",
    "Tanaka",
    "Rahman",
    "Ortiz",
    "Ahmed",
    "Volkov",
    "Eze",
    "Silva",
    "Zhang",
    "Nilsson",
    "Karimi",
    "Costa",
]
TITLES = (
    "Backend Engineer",
    "Frontend Engineer",
    "Data Scientist",
    "Product Designer",
    "Site Reliability Engineer",
    "Account Executive",
    "Recruiter",
    "Nurse",
    "Financial Analyst",
    "Marketing Manager",
    "Support Specialist",
    "Engineering Manager",
)
DEPARTMENTS = ("Engineering", "Design", "Sales", "Operations", "Finance", "People", "Care")
_SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "nu",
    "re",
    "sa",
    "ti",
    "vo",
    "ze",
    "ba",
    "do",
    "fi",
    "gu",
    "he",
    "ja",
    "ko",
    "lu",
    "ma",
    "ne",
    "pi",
    "ro",
    "su",
    "te",
    "wa",
    "yo",
]


def vocabulary(size: int = 3000, seed: int = 7) -> list[str]:
    """Pseudo-words (deterministic) plus the skill names: what resumes are written in."""
    rng = random.Random(seed)  # noqa: S311 - benchmark data, not secrets
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words) + [s.lower() for s in SKILLS]


@dataclass(frozen=True)
class Plan:
    organizations: int
    candidates: int
    applications: int
    seed: int = 1

    def __post_init__(self) -> None:
        if self.organizations < 2:
            raise ValueError("at least 2 organizations")
        per_candidate = self.applications / max(self.candidates, 1)
        if self.candidates < self.organizations * 2 or per_candidate > JOBS_PER_ORGANIZATION:
            raise ValueError(
                "need at least 2 candidates per organization and at most "
                f"{JOBS_PER_ORGANIZATION} applications per candidate"
            )


@dataclass
class Loaded:
    organizations: int = 0
    jobs: int = 0
    candidates: int = 0
    applications: int = 0
    seconds: float = 0.0


def _copy(
    conn: psycopg.Connection[Any], table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    count = 0
    names = ", ".join(f'"{c}"' for c in columns)
    with conn.cursor() as cursor, cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """`total` split into `parts` positive, uneven shares."""
    weights = [rng.uniform(0.3, 1.7) for _ in range(parts)]
    scale = (total - parts) / sum(weights)
    shares = [1 + int(w * scale) for w in weights]
    shares[-1] += total - sum(shares)
    return shares


def is_loaded(conn: psycopg.Connection[Any]) -> bool:
    row = conn.execute("SELECT 1 FROM organization WHERE slug = %s", (HEAVY_SLUG,)).fetchone()
    return row is not None


def load(
    conn: psycopg.Connection[Any],
    plan: Plan,
    password: str,
    progress: Callable[[str], None] = lambda _: None,
) -> Loaded:
    """Write the data set in one transaction on `conn` (the caller commits)."""
    started = time.perf_counter()
    rng = random.Random(plan.seed)  # noqa: S311 - benchmark data, not secrets
    words = vocabulary()
    # Zipf-like weights: word i is drawn with weight 1/(i+10).
    cumulative = list(itertools.accumulate(1.0 / (i + 10) for i in range(len(words))))
    epoch = datetime(2026, 1, 1, tzinfo=UTC)
    loaded = Loaded()

    heavy_candidates = int(plan.candidates * HEAVY_SHARE)
    candidate_shares = [
        heavy_candidates,
        *_split(plan.candidates - heavy_candidates, plan.organizations - 1, rng),
    ]
    per_candidate = plan.applications / plan.candidates

    organizations = [
        (uuid.UUID(int=rng.getrandbits(128), version=4), f"Bench {n:04d}", f"bench-{n:04d}")
        for n in range(plan.organizations)
    ]
    loaded.organizations = _copy(conn, "organization", ("id", "name", "slug"), organizations)
    progress(f"{loaded.organizations:,} organizations")

    jobs: list[tuple[uuid.UUID, uuid.UUID, int]] = []  # (job id, organization id, org index)
    job_rows = []
    for index, (organization_id, _, _) in enumerate(organizations):
        for n in range(HEAVY_JOBS if index == 0 else JOBS_PER_ORGANIZATION):
            job_id = uuid.UUID(int=rng.getrandbits(128), version=4)
            title = f"{TITLES[(index + n) % len(TITLES)]} {n + 1}"
            skills = "{" + ",".join(f'"{s}"' for s in rng.sample(SKILLS, 4)) + "}"
            job_rows.append(
                (
                    job_id,
                    organization_id,
                    title,
                    "open",
                    f"<p>{title} at Bench {index:04d}.</p>",
                    skills,
                    DEPARTMENTS[n % len(DEPARTMENTS)],
                    epoch,
                )
            )
            jobs.append((job_id, organization_id, index))
    loaded.jobs = _copy(
        conn,
        "job",
        (
            "id",
            "organization_id",
            "title",
            "status",
            "description_html",
            "skills",
            "department",
            "opened_at",
        ),
        job_rows,
    )
    _copy(
        conn,
        "job_version",
        ("organization_id", "job_id", "number", "snapshot", "summary"),
        (
            (org_id, job_id, 1, json.dumps({"title": row[2]}), "Created")
            for (job_id, org_id, _), row in zip(jobs, job_rows, strict=True)
        ),
    )
    # Stages: (job id) -> [(stage id, kind)] in order.
    stages: dict[uuid.UUID, list[tuple[uuid.UUID, str]]] = {}
    stage_rows = []
    for job_id, organization_id, _ in jobs:
        stages[job_id] = []
        for position, stage in enumerate(DEFAULT_STAGES):
            stage_id = uuid.UUID(int=rng.getrandbits(128), version=4)
            stages[job_id].append((stage_id, stage["kind"]))
            stage_rows.append(
                (
                    stage_id,
                    organization_id,
                    job_id,
                    stage["key"],
                    stage["name"],
                    position,
                    stage["kind"],
                )
            )
    _copy(
        conn,
        "job_stage",
        ("id", "organization_id", "job_id", "key", "name", "position", "kind"),
        stage_rows,
    )
    progress(f"{loaded.jobs:,} jobs with {len(stage_rows):,} stages")

    jobs_by_org: dict[int, list[uuid.UUID]] = {}
    for job_id, _, index in jobs:
        jobs_by_org.setdefault(index, []).append(job_id)

    applications: list[tuple[Any, ...]] = []
    remaining_applications = plan.applications

    def candidates() -> Iterator[tuple[Any, ...]]:
        nonlocal remaining_applications
        serial = 0
        for index, share in enumerate(candidate_shares):
            organization_id = organizations[index][0]
            org_jobs = jobs_by_org[index]
            for _ in range(share):
                serial += 1
                candidate_id = uuid.UUID(int=rng.getrandbits(128), version=4)
                first, last = rng.choice(FIRST), rng.choice(LAST)
                created = epoch + timedelta(minutes=serial % 400_000)
                resume = " ".join(rng.choices(words, cum_weights=cumulative, k=80))
                skills = [
                    {"name": s, "level": rng.randint(1, 5), "years": rng.randint(0, 15)}
                    for s in rng.sample(SKILLS, 3)
                ]
                phone = f"+1415{serial:07d}"
                yield (
                    candidate_id,
                    organization_id,
                    f"{first} {last}",
                    f"{first}.{last}.{serial}@example.test".lower(),
                    phone,
                    phone,
                    f"{rng.choice(TITLES)} with {rng.randint(1, 20)} years",
                    rng.choice(("import", "careers_page", "referral", "sourced")),
                    "{" + rng.choice(("remote", "senior", "junior", "relocate")) + "}",
                    json.dumps(skills),
                    resume,
                    created,
                    created,
                )
                # Whole applications per candidate, with the fraction spread at random.
                count = int(per_candidate) + (rng.random() < per_candidate % 1)
                count = min(count, len(org_jobs), remaining_applications)
                remaining_applications -= count
                for job_id in rng.sample(org_jobs, count):
                    position = min(int(rng.expovariate(0.6)), len(DEFAULT_STAGES) - 1)
                    stage_id, kind = stages[job_id][position]
                    applied = created + timedelta(hours=rng.randint(1, 2000))
                    entered = applied + timedelta(hours=rng.randint(0, 500) * (position > 0))
                    status = {"hired": "hired", "rejected": "rejected"}.get(kind, "active")
                    applications.append(
                        (
                            uuid.UUID(int=rng.getrandbits(128), version=4),
                            organization_id,
                            candidate_id,
                            job_id,
                            stage_id,
                            status,
                            rng.choice((None, rng.randint(40, 100))),
                            applied,
                            entered,
                            applied,
                            entered,
                        )
                    )

    loaded.candidates = _copy(
        conn,
        "candidate",
        (
            "id",
            "organization_id",
            "full_name",
            "email",
            "phone",
            "phone_normalized",
            "headline",
            "source",
            "tags",
            "skills",
            "resume_text",
            "created_at",
            "updated_at",
        ),
        candidates(),
    )
    progress(f"{loaded.candidates:,} candidates")
    loaded.applications = _copy(
        conn,
        "application",
        (
            "id",
            "organization_id",
            "candidate_id",
            "job_id",
            "stage_id",
            "status",
            "score",
            "applied_at",
            "stage_entered_at",
            "created_at",
            "updated_at",
        ),
        applications,
    )
    _copy(
        conn,
        "application_event",
        ("organization_id", "application_id", "type", "to_stage_id", "created_at"),
        ((a[1], a[0], "applied", stages[a[3]][0][0], a[7]) for a in applications),
    )
    progress(f"{loaded.applications:,} applications with their events")
    _add_member(conn, organizations[0][0], password)
    loaded.seconds = round(time.perf_counter() - started, 1)
    return loaded


def _add_member(conn: psycopg.Connection[Any], organization_id: uuid.UUID, password: str) -> None:
    role = "hiring_manager"
    assert role in SYSTEM_ROLES
    user_id = conn.execute(
        """INSERT INTO "user" (email, name, password_hash, email_verified_at)
           VALUES (%s, 'Bench Manager', %s, now())
           ON CONFLICT (email) DO UPDATE SET password_hash = EXCLUDED.password_hash
           RETURNING id""",
        (BENCH_EMAIL, hash_password(password)),
    ).fetchone()
    assert user_id is not None
    conn.execute(
        """INSERT INTO membership (organization_id, user_id, role_id)
           SELECT %s, %s, id FROM role WHERE key = %s AND organization_id IS NULL""",
        (organization_id, user_id[0], role),
    )


def analyze(conn: psycopg.Connection[Any]) -> None:
    for table in ("organization", "job", "job_stage", "candidate", "application"):
        conn.execute(f'ANALYZE "{table}"')
