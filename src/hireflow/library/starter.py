"""The starter library, written by hireflow: twelve questions across categories and three
coding challenges (Python and JavaScript), loaded into the demo organization as approved items
(`load_starter`, only into an organization whose library is empty)."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.kit.clock import now
from hireflow.library import repository
from hireflow.library.schemas import ChallengeIn, ItemIn, QuestionIn
from hireflow.library.service import search_text_of
from hireflow.models import LibraryItem, LibraryItemVersion


def _rubric(ideal: str, *criteria: tuple[str, str]) -> dict[str, Any]:
    return {
        "criteria": [
            {
                "key": key,
                "description": description,
                "levels": [
                    "Not shown",
                    "Mentioned without substance",
                    "Shown with a concrete example",
                    "Shown with depth, trade-offs and a measurable outcome",
                ],
            }
            for key, description in criteria
        ],
        "ideal_answer": ideal,
    }


def _question(
    title: str,
    type_: str,
    prompt: str,
    skills: list[str],
    seniority: str,
    category: str,
    ideal: str,
    *criteria: tuple[str, str],
) -> dict[str, Any]:
    return {
        "kind": "question",
        "title": title,
        "type": type_,
        "prompt": prompt,
        "skills": skills,
        "seniority": seniority,
        "category": category,
        "rubric": _rubric(ideal, *criteria),
    }


QUESTIONS: list[dict[str, Any]] = [
    _question(
        "A project that went wrong",
        "behavioural",
        "Tell me about a project that did not go to plan. What happened, what did you do, and "
        "what would you do differently?",
        ["Ownership"],
        "mid",
        "Behavioural",
        "Names a real setback, owns their part, describes concrete recovery steps and a "
        "lesson applied later.",
        ("ownership", "Takes responsibility for their part instead of blaming others"),
        ("recovery", "Describes concrete steps taken to recover"),
        ("learning", "States a lesson and how it changed later work"),
    ),
    _question(
        "Disagreeing with a decision",
        "behavioural",
        "Describe a time you disagreed with a decision made by your manager or team. How did "
        "you handle it?",
        ["Communication"],
        "mid",
        "Behavioural",
        "Raises the concern with evidence, listens, commits once decided, and follows up.",
        ("evidence", "Backs the disagreement with data or reasoning"),
        ("respect", "Listens to the other view and keeps the relationship"),
        ("commitment", "Commits to the final decision"),
    ),
    _question(
        "Mentoring someone",
        "behavioural",
        "Tell me about someone you mentored or helped grow. What did you do and what changed "
        "for them?",
        ["Mentoring", "Leadership"],
        "senior",
        "Leadership",
        "Specific person and goal, regular feedback, growing autonomy, visible outcome.",
        ("approach", "Explains how they adapted support to the person"),
        ("outcome", "Shows a visible change in the mentee's work"),
    ),
    _question(
        "Prioritising under pressure",
        "situational",
        "Three urgent requests land on your desk on the same morning, each from a different "
        "stakeholder. How do you decide what to do first?",
        ["Prioritisation"],
        "junior",
        "Situational",
        "Clarifies impact and deadlines, communicates trade-offs, escalates when needed.",
        ("criteria", "Uses explicit criteria such as impact and deadline"),
        ("communication", "Tells stakeholders what happens and when"),
    ),
    _question(
        "A colleague misses deadlines",
        "situational",
        "A teammate keeps missing deadlines that your work depends on. What do you do?",
        ["Collaboration"],
        "mid",
        "Situational",
        "Talks to them privately first, seeks causes, agrees on a plan, escalates if it persists.",
        ("empathy", "Looks for the cause before judging"),
        ("plan", "Agrees on concrete next steps"),
        ("escalation", "Knows when and how to escalate"),
    ),
    _question(
        "Production is down",
        "situational",
        "You are on call and the main service starts returning errors to every user. Walk me "
        "through your first thirty minutes.",
        ["Incident response"],
        "senior",
        "Operations",
        "Acknowledges, communicates status, mitigates first (rollback), then investigates, and "
        "writes a blameless review.",
        ("mitigation", "Mitigates impact before finding the root cause"),
        ("communication", "Keeps users and the team informed"),
        ("follow_up", "Plans a blameless review and prevention"),
    ),
    _question(
        "Designing a URL shortener",
        "technical",
        "How would you design a URL shortener that handles millions of redirects a day?",
        ["System design"],
        "senior",
        "System design",
        "Key generation, storage choice, caching hot links, redirect latency, analytics off the "
        "hot path, abuse handling.",
        ("data_model", "Proposes a sensible key scheme and storage"),
        ("scaling", "Addresses caching and read-heavy load"),
        ("trade_offs", "Discusses trade-offs explicitly"),
    ),
    _question(
        "Database indexes",
        "technical",
        "Explain what a database index is, when it helps and when it hurts.",
        ["SQL", "PostgreSQL"],
        "junior",
        "Databases",
        "A sorted structure (B-tree) speeding lookups and ordering; costs writes and space; "
        "useless for low-selectivity columns.",
        ("concept", "Explains what an index stores and how lookups use it"),
        ("costs", "Names the costs on writes and storage"),
    ),
    _question(
        "Testing strategy",
        "technical",
        "How do you decide what to cover with unit tests, integration tests and end-to-end tests?",
        ["Testing"],
        "mid",
        "Engineering practice",
        "Pyramid reasoning: fast unit tests for logic, integration for boundaries, few "
        "end-to-end for critical paths; tests that fail for real bugs.",
        ("layers", "Distinguishes the purpose of each layer"),
        ("judgement", "Balances confidence, speed and maintenance"),
    ),
    _question(
        "Reviewing code",
        "technical",
        "What do you look for when you review a colleague's pull request?",
        ["Code review"],
        "mid",
        "Engineering practice",
        "Correctness, tests, readability, security, design fit; kind and specific comments.",
        ("substance", "Looks beyond style at correctness and design"),
        ("tone", "Gives constructive, specific feedback"),
    ),
    _question(
        "Securing an API",
        "technical",
        "A public JSON API is about to launch. Which security risks do you check before it goes "
        "live?",
        ["Security", "APIs"],
        "senior",
        "Security",
        "Authentication and authorisation per object, input validation, rate limiting, secrets "
        "handling, logging without sensitive data, dependency updates.",
        ("authorization", "Checks access on every object, not only login"),
        ("input", "Validates input and limits abuse"),
        ("operations", "Covers secrets, logging and dependencies"),
    ),
    _question(
        "Growing an engineering team",
        "behavioural",
        "Tell me how you have grown a team: hiring, onboarding and keeping people.",
        ["Leadership", "Hiring"],
        "lead",
        "Leadership",
        "Structured, fair hiring; onboarding plan with early wins; career conversations; "
        "measured retention.",
        ("hiring", "Describes a structured, fair hiring process"),
        ("retention", "Shows how they kept and grew people"),
    ),
]


def _tests(*cases: tuple[str, list[Any], Any, bool]) -> list[dict[str, Any]]:
    return [
        {"name": name, "args": args, "expected": expected, "hidden": hidden}
        for name, args, expected, hidden in cases
    ]


CODE_RUBRIC = _rubric(
    "Passes every test, handles the edge cases, and is readable with clear names.",
    ("correctness", "The solution passes visible and hidden tests"),
    ("clarity", "The code is readable with clear names"),
)

CHALLENGES: list[dict[str, Any]] = [
    {
        "kind": "challenge",
        "title": "FizzBuzz list",
        "statement": 'Write fizzbuzz(n) returning a list of strings for 1..n: "Fizz" for '
        'multiples of 3, "Buzz" for multiples of 5, "FizzBuzz" for both, else the number.',
        "languages": ["python", "javascript"],
        "starter_code": {
            "python": "def fizzbuzz(n):\n    return []\n",
            "javascript": "function fizzbuzz(n) {\n  return [];\n}\n",
        },
        "entrypoint": "fizzbuzz",
        "tests": _tests(
            ("five", [5], ["1", "2", "Fizz", "4", "Buzz"], False),
            ("zero", [0], [], False),
            (
                "fifteen",
                [15],
                [
                    "1",
                    "2",
                    "Fizz",
                    "4",
                    "Buzz",
                    "Fizz",
                    "7",
                    "8",
                    "Fizz",
                    "Buzz",
                    "11",
                    "Fizz",
                    "13",
                    "14",
                    "FizzBuzz",
                ],
                True,
            ),
        ),
        "time_limit_seconds": 900,
        "skills": ["Python", "JavaScript"],
        "seniority": "junior",
        "category": "Warm-up",
        "rubric": CODE_RUBRIC,
    },
    {
        "kind": "challenge",
        "title": "Balanced brackets",
        "statement": "Write is_balanced(text) returning true when every (, [ and { in text is "
        "closed in the right order; other characters are ignored.",
        "languages": ["python", "javascript"],
        "starter_code": {
            "python": "def is_balanced(text):\n    return False\n",
            "javascript": "function is_balanced(text) {\n  return false;\n}\n",
        },
        "entrypoint": "is_balanced",
        "tests": _tests(
            ("simple", ["([]{})"], True, False),
            ("crossed", ["([)]"], False, False),
            ("empty", [""], True, True),
            ("unclosed", ["(a[b]"], False, True),
            ("text", ["f(x) = {y[0]}"], True, True),
        ),
        "time_limit_seconds": 1200,
        "skills": ["Algorithms"],
        "seniority": "mid",
        "category": "Algorithms",
        "rubric": CODE_RUBRIC,
    },
    {
        "kind": "challenge",
        "title": "Merge overlapping intervals",
        "statement": "Write merge_intervals(intervals) taking a list of [start, end] pairs and "
        "returning the merged, sorted list where overlapping or touching intervals become one.",
        "languages": ["python", "javascript"],
        "starter_code": {
            "python": "def merge_intervals(intervals):\n    return intervals\n",
            "javascript": "function merge_intervals(intervals) {\n  return intervals;\n}\n",
        },
        "entrypoint": "merge_intervals",
        "tests": _tests(
            ("overlap", [[[1, 3], [2, 6], [8, 10]]], [[1, 6], [8, 10]], False),
            ("unsorted", [[[5, 7], [1, 2]]], [[1, 2], [5, 7]], False),
            ("touching", [[[1, 2], [2, 4]]], [[1, 4]], True),
            ("nested", [[[1, 10], [2, 3], [4, 5]]], [[1, 10]], True),
            ("empty", [[]], [], True),
        ),
        "time_limit_seconds": 1800,
        "skills": ["Algorithms", "Python"],
        "seniority": "senior",
        "category": "Algorithms",
        "rubric": CODE_RUBRIC,
    },
]

STARTER: list[dict[str, Any]] = [*QUESTIONS, *CHALLENGES]
_ITEM: TypeAdapter[QuestionIn | ChallengeIn] = TypeAdapter(ItemIn)


def starter_items() -> list[QuestionIn | ChallengeIn]:
    """The starter library, validated like any other content."""
    return [_ITEM.validate_python(body) for body in STARTER]


async def load_starter(
    session: AsyncSession, organization_id: uuid.UUID, *, user_id: uuid.UUID | None = None
) -> int:
    """Every starter item as an approved item of the organization, only when its library is
    empty (so loading twice changes nothing). Returns how many items were added."""
    if await repository.count_items(session, organization_id):
        return 0
    at = now()
    bodies = starter_items()
    for body in bodies:
        content = body.content()
        item = LibraryItem(
            organization_id=organization_id,
            kind=body.kind,
            title=body.title,
            search_text=search_text_of(content),
            skills=list(body.skills),
            seniority=body.seniority,
            category=body.category,
            latest_number=1,
            created_by_user_id=user_id,
        )
        session.add(item)
        await session.flush()
        version = LibraryItemVersion(
            organization_id=organization_id,
            item_id=item.id,
            number=1,
            status="approved",
            title=body.title,
            content=content,
            skills=list(body.skills),
            seniority=body.seniority,
            category=body.category,
            source="starter",
            similar_items=[],
            created_by_user_id=user_id,
            submitted_at=at,
            reviewed_by_user_id=user_id,
            reviewed_at=at,
            review_comment="Starter library",
        )
        session.add(version)
        await session.flush()
        item.approved_version_id = version.id
    await session.flush()
    return len(bodies)
