"""What the offline model knows: a skill vocabulary (with aliases) to find skills in a job
description, question templates per category with their rubrics, coding tasks, and a small
list of common English words for telling prose from keyboard mashing.

Templates use `{skill}` (the competency) and `{role}` (the target role). Indicators are words or
short phrases whose presence in an answer counts as evidence for a criterion; they match
case-insensitively, and single words also match their close forms ("measure" → "measured")."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from hireflow.ai.model import CodingLanguage, QuestionKind, RubricCriterion

# --- skills ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Skill:
    name: str  # how it is shown (the question's competency)
    category: str  # a key of SKILL_TEMPLATES
    aliases: tuple[str, ...] = ()  # matched case-insensitively (the name is one)
    # Matched case-sensitively: names that are also ordinary words ("Go", "React", "Swift").
    exact: tuple[str, ...] = ()


def _s(name: str, category: str, *aliases: str, exact: tuple[str, ...] = ()) -> Skill:
    return Skill(name, category, (name.lower(), *aliases) if not exact else aliases, exact)


SKILLS: tuple[Skill, ...] = (
    # Languages
    _s("Python", "language", "python3"),
    _s("Java", "language"),
    _s("JavaScript", "language", "ecmascript", "es6"),
    _s("TypeScript", "language"),
    _s("Go", "language", "golang", exact=("Go",)),
    _s("Rust", "language"),
    _s("C", "language", exact=("C",)),
    _s("C++", "language", "cpp"),
    _s("C#", "language", "csharp"),
    _s("Ruby", "language"),
    _s("PHP", "language"),
    _s("Kotlin", "language"),
    _s("Swift", "mobile", "swiftui", exact=("Swift",)),
    _s("Scala", "language"),
    _s("Elixir", "language"),
    _s("R", "data", "rstudio", exact=("R",)),
    _s("Bash", "devops", "shell scripting", "shell scripts"),
    # Front end
    _s("React", "frontend", "react.js", "reactjs", exact=("React",)),
    _s("Vue.js", "frontend", "vue", "vuejs", "nuxt"),
    _s("Angular", "frontend", "angularjs"),
    _s("Svelte", "frontend", "sveltekit"),
    _s("Next.js", "frontend", "nextjs"),
    _s("HTML", "frontend", "html5"),
    _s("CSS", "frontend", "css3", "sass", "scss", "tailwind"),
    # Back end
    _s("Node.js", "backend", "nodejs", "express.js", "expressjs"),
    _s("Django", "backend"),
    _s("Flask", "backend"),
    _s("FastAPI", "backend"),
    _s("Spring Boot", "backend", "spring framework"),
    _s("Ruby on Rails", "backend", "rails"),
    _s(".NET", "backend", "asp.net", "dotnet", ".net core"),
    _s("REST APIs", "backend", "rest api", "restful", "rest apis", "openapi"),
    _s("GraphQL", "backend"),
    _s("gRPC", "backend", "protobuf", "protocol buffers"),
    _s("Microservices", "backend", "microservice", "service-oriented"),
    _s("Kafka", "backend", "apache kafka"),
    _s("RabbitMQ", "backend", "message queues", "message queue"),
    _s("Redis", "backend", "memcached"),
    # Data
    _s("SQL", "data", "t-sql", "pl/sql"),
    _s("PostgreSQL", "data", "postgres"),
    _s("MySQL", "data", "mariadb"),
    _s("MongoDB", "data", "mongo"),
    _s("Elasticsearch", "data", "opensearch"),
    _s("Apache Spark", "data", "apache spark", "pyspark", exact=("Spark",)),
    _s("Airflow", "data", "apache airflow"),
    _s("dbt", "data", exact=("dbt",)),
    _s("Snowflake", "data", "bigquery", "redshift"),
    _s("Data modelling", "data", "data modeling", "dimensional modelling", "data model"),
    _s("Data pipelines", "data", "etl", "elt", "data pipeline", "data engineering"),
    _s("pandas", "data", "numpy"),
    _s("Tableau", "data", "looker"),
    _s("Power BI", "data", "powerbi"),
    _s("Statistics", "data", "statistical", "regression analysis"),
    _s("A/B testing", "data", "ab testing", "a/b tests", "experimentation"),
    # Machine learning
    _s("Machine learning", "ml", "ml models", "scikit-learn", "sklearn"),
    _s("Deep learning", "ml", "neural networks"),
    _s("PyTorch", "ml"),
    _s("TensorFlow", "ml", "keras"),
    _s("NLP", "ml", "natural language processing"),
    _s("LLMs", "ml", "llm", "large language models", "large language model"),
    # Cloud and operations
    _s("AWS", "cloud", "amazon web services", "ec2", "s3"),
    _s("Google Cloud", "cloud", "gcp", "google cloud platform"),
    _s("Azure", "cloud", "microsoft azure"),
    _s("Serverless", "cloud", "aws lambda", "cloud functions"),
    _s("Docker", "devops", "containers", "containerization", "containerisation"),
    _s("Kubernetes", "devops", "k8s", "helm"),
    _s("Terraform", "devops", "infrastructure as code", "pulumi", "cloudformation"),
    _s("CI/CD", "devops", "continuous integration", "continuous delivery", "github actions"),
    _s("Linux", "devops", "unix"),
    _s("Observability", "devops", "prometheus", "grafana", "datadog", "opentelemetry"),
    _s("Ansible", "devops"),
    _s("Git", "devops", "version control"),
    _s("Site reliability", "devops", "sre", "on-call", "incident response"),
    # Testing
    _s("Unit testing", "testing", "unit tests", "unit test"),
    _s("Test automation", "testing", "automated testing", "selenium", "cypress", "playwright"),
    _s("pytest", "testing"),
    _s("Jest", "testing", "vitest"),
    _s("TDD", "testing", "test-driven development", "test driven development"),
    _s("QA", "testing", "quality assurance", "manual testing"),
    # Security
    _s("Application security", "security", "appsec", "owasp", "secure coding"),
    _s("Authentication", "security", "oauth", "openid connect", "oidc", "single sign-on"),
    _s("Penetration testing", "security", "pentesting", "pen testing"),
    _s("Compliance", "security", "gdpr", "soc 2", "soc2", "iso 27001", "hipaa"),
    # Mobile
    _s("iOS", "mobile", "ios development"),
    _s("Android", "mobile"),
    _s("React Native", "mobile"),
    _s("Flutter", "mobile", "dart"),
    # Product
    _s("Roadmapping", "product", "roadmap", "roadmaps", "product strategy"),
    _s("Product discovery", "product", "user research", "customer interviews", "discovery"),
    _s("Prioritization", "product", "prioritisation", "backlog", "rice scoring"),
    _s("Product analytics", "product", "amplitude", "mixpanel", "google analytics"),
    _s("Agile", "product", "scrum", "kanban", "sprint planning"),
    _s("Requirements", "product", "user stories", "prd", "prds", "specifications"),
    _s("Go-to-market", "product", "gtm", "product launch", "product launches"),
    _s("OKRs", "product", "okr", "kpis", "kpi"),
    _s("Stakeholder management", "people", "stakeholders", "stakeholder"),
    # Design
    _s("Figma", "design", "sketch app"),
    _s("UX research", "design", "usability testing", "ux", "user experience"),
    _s("UI design", "design", "interaction design", "visual design", "ui"),
    _s("Design systems", "design", "design system", "component library"),
    _s("Accessibility", "design", "wcag", "a11y"),
    _s("Prototyping", "design", "prototypes", "wireframes", "wireframing"),
    # Sales, support, marketing
    _s("B2B sales", "sales", "enterprise sales", "saas sales", "account executive"),
    _s("Prospecting", "sales", "outbound", "cold calling", "lead generation"),
    _s("Salesforce", "sales"),
    _s("Negotiation", "sales", "negotiating", "negotiate"),
    _s("Account management", "sales", "key accounts", "renewals"),
    _s("CRM", "sales", "hubspot", "pipedrive"),
    _s("Customer support", "support", "customer service", "help desk", "helpdesk"),
    _s("Zendesk", "support", "intercom", "freshdesk"),
    _s("Troubleshooting", "support", "debugging customer issues"),
    _s("Customer success", "support", "customer onboarding", "churn"),
    _s("SEO", "marketing", "search engine optimization", "search engine optimisation"),
    _s("Content marketing", "marketing", "copywriting", "content strategy"),
    _s("Paid acquisition", "marketing", "google ads", "ppc", "paid social", "sem"),
    _s("Email marketing", "marketing", "lifecycle marketing", "mailchimp"),
    # People and business
    _s("Recruiting", "people", "recruitment", "talent acquisition", "sourcing"),
    _s("Coaching", "people", "mentoring", "mentorship"),
    _s("People management", "people", "line management", "managing a team", "team lead"),
    _s("Public speaking", "people", "presentations", "presenting"),
    _s("Project management", "business", "jira", "pmp", "project planning"),
    _s("Budgeting", "business", "forecasting", "financial modelling", "financial modeling"),
    _s("Excel", "business", "spreadsheets", "google sheets"),
    _s("Operations", "business", "process improvement", "business operations"),
)


# Skill names that are common nouns: lower-cased inside a sentence ("how do you approach
# prioritization"), unlike names of products and languages ("Python", "PostgreSQL").
GENERIC_NAMES = frozenset(
    {
        "Microservices",
        "Statistics",
        "Data modelling",
        "Data pipelines",
        "Machine learning",
        "Deep learning",
        "Serverless",
        "Observability",
        "Site reliability",
        "Unit testing",
        "Test automation",
        "Application security",
        "Authentication",
        "Penetration testing",
        "Compliance",
        "Roadmapping",
        "Product discovery",
        "Prioritization",
        "Product analytics",
        "Requirements",
        "Go-to-market",
        "Stakeholder management",
        "Design systems",
        "Accessibility",
        "Prototyping",
        "Prospecting",
        "Negotiation",
        "Account management",
        "Customer support",
        "Troubleshooting",
        "Customer success",
        "Content marketing",
        "Paid acquisition",
        "Email marketing",
        "Recruiting",
        "Coaching",
        "People management",
        "Public speaking",
        "Project management",
        "Budgeting",
        "Operations",
    }
)


def in_sentence(name: str) -> str:
    """How a skill's name reads inside a sentence."""
    return name[0].lower() + name[1:] if name in GENERIC_NAMES else name


def _alias_regex(alias: str, *, ambiguous: bool = False) -> str:
    # Word-boundary aware for aliases with symbols: "C" must not match "C++" or "C#", "Go" must
    # not match "good", "Node.js" ends with a letter but "C++" does not. An ambiguous word is
    # not the skill inside a compound either ("Go-to-market").
    body = r"\s+".join(re.escape(part) for part in alias.split())
    after = r"(?![\w+#])(?!\.\w)" + (r"(?!-\w)" if ambiguous else "")
    return rf"(?<![\w+#.-]){body}{after}"


@cache
def _skill_patterns() -> tuple[tuple[Skill, re.Pattern[str], re.Pattern[str] | None], ...]:
    patterns = []
    for skill in SKILLS:
        loose = "|".join(_alias_regex(a) for a in sorted(skill.aliases, key=len, reverse=True))
        exact = "|".join(_alias_regex(a, ambiguous=True) for a in skill.exact)
        patterns.append(
            (
                skill,
                re.compile(loose or r"(?!x)x", re.IGNORECASE),
                re.compile(exact) if exact else None,
            )
        )
    return tuple(patterns)


def find_skills(text: str) -> list[Skill]:
    """The vocabulary's skills mentioned in `text`, in order of first mention."""
    found: list[tuple[int, int, Skill]] = []
    for index, (skill, loose, exact) in enumerate(_skill_patterns()):
        positions = [m.start() for m in loose.finditer(text)]
        if exact is not None:
            positions += [m.start() for m in exact.finditer(text)]
        if positions:
            found.append((min(positions), index, skill))
    return [skill for _, _, skill in sorted(found, key=lambda item: (item[0], item[1]))]


def lookup_skill(name: str) -> Skill | None:
    """The vocabulary entry a listed skill names (by name or alias), if any."""
    cleaned = name.strip()
    for skill, loose, exact in _skill_patterns():
        if loose.fullmatch(cleaned) or (exact is not None and exact.fullmatch(cleaned)):
            return skill
        if cleaned.lower() == skill.name.lower():
            return skill
    return None


# --- rubric building blocks --------------------------------------------------------------------


def _c(key: str, description: str, *indicators: str) -> RubricCriterion:
    return RubricCriterion(key=key, description=description, indicators=indicators)


SPECIFIC_EXAMPLE = _c(
    "specific-example",
    "Grounds the answer in one specific situation they were part of",
    "when i",
    "at my last",
    "in my previous",
    "at my previous",
    "last year",
    "for example",
    "for instance",
    "one time",
    "we had",
    "project",
    "at the time",
)
OWN_ACTIONS = _c(
    "own-actions",
    "Says what they did themselves, not only what the team did",
    "i built",
    "i led",
    "i wrote",
    "i decided",
    "i proposed",
    "i designed",
    "i set up",
    "i started",
    "i took",
    "i owned",
    "i implemented",
    "i organised",
    "i organized",
    "i created",
    "i ran",
    "i talked",
    "i asked",
    "i introduced",
    "i changed",
    "i made",
    "i spoke",
    "i worked",
)
OUTCOME = _c(
    "outcome",
    "Names the result and, ideally, how it was measured",
    "result",
    "reduced",
    "increased",
    "improved",
    "saved",
    "grew",
    "%",
    "percent",
    "measured",
    "outcome",
    "shipped",
    "launched",
    "delivered",
    "cut",
)
REFLECTION = _c(
    "reflection",
    "Reflects on what they learned or would do differently",
    "learned",
    "learnt",
    "lesson",
    "next time",
    "in hindsight",
    "differently",
    "retrospective",
    "taught me",
    "realised",
    "realized",
)
TRADE_OFFS = _c(
    "trade-offs",
    "Weighs alternatives and explains why they chose one",
    "trade-off",
    "tradeoff",
    "trade off",
    "instead of",
    "because",
    "downside",
    "alternative",
    "compared",
    "chose",
    "pros and cons",
    "rather than",
)
QUALITY = _c(
    "quality",
    "Checks that the work is correct and keeps working (tests, reviews, monitoring)",
    "test",
    "monitor",
    "alert",
    "metric",
    "review",
    "benchmark",
    "edge case",
    "rollback",
    "roll back",
    "logging",
    "observability",
    "validate",
)
STAKEHOLDERS = _c(
    "stakeholders",
    "Involves the people affected and keeps them informed",
    "stakeholder",
    "customer",
    "users",
    "team",
    "manager",
    "aligned",
    "agreed",
    "explained",
    "listened",
    "feedback",
    "update",
)
CLARITY = _c(
    "clarity",
    "Adapts the message to the audience and checks it was understood",
    "explained",
    "audience",
    "simple",
    "plain language",
    "diagram",
    "example",
    "wrote",
    "document",
    "presented",
    "asked",
    "clarified",
    "summary",
    "listened",
)
ROOT_CAUSE = _c(
    "root-cause",
    "Looks for the underlying cause before fixing",
    "root cause",
    "why",
    "investigated",
    "logs",
    "reproduce",
    "hypothesis",
    "data",
    "narrowed",
    "diagnosed",
    "traced",
)
PLAN = _c(
    "approach",
    "Describes a structured approach: steps, priorities, what comes first",
    "first",
    "plan",
    "step",
    "priorit",
    "break it down",
    "broke it down",
    "started by",
    "finally",
)


def skill_depth(*extra: str) -> RubricCriterion:
    return _c(
        "skill-depth",
        "Shows hands-on depth with {skill}: concrete features, tools or limits they used",
        "{skill}",
        *extra,
    )


# --- question templates ------------------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    kind: QuestionKind
    prompt: str  # may use {skill} and {role}
    rubric: tuple[RubricCriterion, ...]  # descriptions and indicators may use {skill}
    minutes: int = 5


def _t(kind: QuestionKind, prompt: str, *rubric: RubricCriterion, minutes: int = 5) -> Template:
    return Template(kind, prompt, rubric, minutes)


_ENGINEERING = (
    _t(
        "technical",
        "Tell us about a piece of work where you relied on {skill}. What did you build, which "
        "parts of {skill} mattered most, and what would you do differently today?",
        skill_depth("configured", "implemented", "library", "framework", "version", "api"),
        SPECIFIC_EXAMPLE,
        TRADE_OFFS,
        REFLECTION,
    ),
    _t(
        "technical",
        "What are the limits or pitfalls of {skill} that you have run into, and how did you "
        "work around them?",
        skill_depth("limit", "pitfall", "performance", "memory", "concurrency", "bug"),
        ROOT_CAUSE,
        TRADE_OFFS,
        QUALITY,
    ),
    _t(
        "situational",
        "Imagine a feature that depends on {skill} starts failing in production shortly after "
        "a release. Walk us through what you would do, in order.",
        PLAN,
        ROOT_CAUSE,
        QUALITY,
        STAKEHOLDERS,
        minutes=6,
    ),
    _t(
        "technical",
        "How do you make sure code that uses {skill} stays correct and maintainable as a team "
        "keeps changing it?",
        skill_depth("convention", "structure", "module", "type", "lint"),
        QUALITY,
        _c(
            "team-practices",
            "Names team practices that keep the code healthy",
            "code review",
            "pair",
            "documentation",
            "standards",
            "ci",
            "refactor",
        ),
    ),
)

SKILL_TEMPLATES: dict[str, tuple[Template, ...]] = {
    "language": _ENGINEERING,
    "backend": (
        *_ENGINEERING,
        _t(
            "technical",
            "Describe how you would design a service with {skill} that must stay fast under "
            "ten times today's load. What would you measure first?",
            skill_depth("cache", "queue", "index", "pool", "async", "scale"),
            _c(
                "measurement",
                "Measures before optimising",
                "measure",
                "profil",
                "latency",
                "throughput",
                "load test",
                "metric",
                "benchmark",
            ),
            TRADE_OFFS,
            minutes=7,
        ),
    ),
    "frontend": (
        *_ENGINEERING,
        _t(
            "technical",
            "How do you keep a user interface built with {skill} fast and accessible for every "
            "user? Give an example.",
            skill_depth("component", "render", "state", "bundle", "lazy"),
            _c(
                "users",
                "Thinks about real users: accessibility, slow devices and networks",
                "accessib",
                "screen reader",
                "keyboard",
                "contrast",
                "mobile",
                "slow network",
                "users",
            ),
            QUALITY,
        ),
    ),
    "data": (
        *_ENGINEERING[:2],
        _t(
            "technical",
            "Tell us about a time data you worked with using {skill} turned out to be wrong or "
            "misleading. How did you find out and what did you change?",
            skill_depth("query", "schema", "model", "pipeline", "dashboard"),
            ROOT_CAUSE,
            QUALITY,
            OUTCOME,
        ),
        _t(
            "situational",
            "A stakeholder asks for a number by tomorrow and the data you would need in "
            "{skill} is incomplete. What do you do?",
            STAKEHOLDERS,
            TRADE_OFFS,
            _c(
                "honesty",
                "Is open about uncertainty and its limits",
                "assumption",
                "caveat",
                "uncertain",
                "confidence",
                "range",
                "estimate",
                "transparent",
            ),
        ),
    ),
    "ml": (
        *_ENGINEERING[:2],
        _t(
            "technical",
            "How do you decide whether a model built with {skill} is good enough to ship, and "
            "how do you watch it afterwards?",
            skill_depth("evaluation", "baseline", "dataset", "precision", "recall", "drift"),
            QUALITY,
            TRADE_OFFS,
        ),
    ),
    "cloud": (
        *_ENGINEERING[:3],
        _t(
            "technical",
            "How do you keep costs and access under control in {skill}? Describe what you have "
            "set up or would set up.",
            skill_depth("iam", "permission", "role", "budget", "cost", "tag"),
            _c(
                "security",
                "Applies least privilege and protects secrets",
                "least privilege",
                "secret",
                "encrypt",
                "access",
                "audit",
            ),
            QUALITY,
        ),
    ),
    "devops": (
        *_ENGINEERING[1:3],
        _t(
            "technical",
            "Walk us through how you have used {skill} to make releases safer or faster.",
            skill_depth("pipeline", "deploy", "automat", "config", "rollout"),
            QUALITY,
            OUTCOME,
            TRADE_OFFS,
        ),
    ),
    "testing": (
        _t(
            "technical",
            "How do you decide what to test with {skill} and what not to? Give an example from "
            "your work.",
            skill_depth("unit", "integration", "end-to-end", "fixture", "coverage", "mock"),
            TRADE_OFFS,
            SPECIFIC_EXAMPLE,
        ),
        _t(
            "situational",
            "A test suite using {skill} has become slow and flaky, and people have started to "
            "ignore failures. What do you do?",
            PLAN,
            ROOT_CAUSE,
            STAKEHOLDERS,
            OUTCOME,
        ),
    ),
    "security": (
        _t(
            "technical",
            "Tell us about a security problem related to {skill} that you found or fixed. How "
            "did you assess the risk?",
            skill_depth("vulnerab", "threat", "risk", "patch", "exploit"),
            ROOT_CAUSE,
            STAKEHOLDERS,
        ),
        _t(
            "situational",
            "You notice a colleague's change weakens {skill} just before a deadline. What do "
            "you do?",
            STAKEHOLDERS,
            TRADE_OFFS,
            _c(
                "risk",
                "Weighs the risk openly and proposes a safe path",
                "risk",
                "impact",
                "mitigat",
                "escalat",
                "block",
                "safe",
            ),
        ),
    ),
    "mobile": (
        *_ENGINEERING[:2],
        _t(
            "technical",
            "How do you handle releases and crashes for an app built with {skill} when you "
            "cannot roll back a version people already installed?",
            skill_depth("feature flag", "crash", "store", "version", "staged rollout"),
            QUALITY,
            PLAN,
        ),
    ),
    "product": (
        _t(
            "situational",
            "How have you used {skill} to decide what a team should build next? Take one "
            "decision and walk us through it.",
            skill_depth("customer", "data", "problem", "hypothesis", "goal"),
            TRADE_OFFS,
            STAKEHOLDERS,
            OUTCOME,
        ),
        _t(
            "situational",
            "Engineering, sales and a large customer each want something different from the "
            "next quarter. How would you use {skill} to reach a decision, and how would you "
            "tell the people who do not get what they asked for?",
            PLAN,
            TRADE_OFFS,
            CLARITY,
            STAKEHOLDERS,
            minutes=6,
        ),
        _t(
            "technical",
            "Tell us about something you shipped that did not have the effect you expected. "
            "What part did {skill} play, how did you find out, and what did you do next?",
            skill_depth("metric", "experiment", "analytics", "interview"),
            ROOT_CAUSE,
            REFLECTION,
        ),
    ),
    "design": (
        _t(
            "situational",
            "Walk us through a design decision where {skill} changed your first idea.",
            skill_depth("research", "prototype", "user", "test", "iteration"),
            SPECIFIC_EXAMPLE,
            TRADE_OFFS,
            OUTCOME,
        ),
        _t(
            "situational",
            "An engineer tells you your design cannot be built in time. How do you use "
            "{skill} to find a version that still serves users?",
            STAKEHOLDERS,
            TRADE_OFFS,
            PLAN,
        ),
    ),
    "sales": (
        _t(
            "behavioural",
            "Tell us about a deal where {skill} made the difference. What was the situation "
            "and what did you do yourself?",
            SPECIFIC_EXAMPLE,
            OWN_ACTIONS,
            _c(
                "customer-needs",
                "Understands the customer's needs before pitching",
                "discovery",
                "needs",
                "pain",
                "asked",
                "listened",
                "problem",
                "budget",
            ),
            OUTCOME,
        ),
        _t(
            "situational",
            "A prospect goes silent after a promising demo. How would you use {skill} to move "
            "things forward without pushing too hard?",
            PLAN,
            _c(
                "customer-needs",
                "Understands the customer's needs before pitching",
                "needs",
                "pain",
                "asked",
                "listened",
                "value",
                "decision maker",
            ),
            CLARITY,
        ),
    ),
    "support": (
        _t(
            "behavioural",
            "Tell us about a difficult customer conversation where {skill} mattered. What did "
            "you do and how did it end?",
            SPECIFIC_EXAMPLE,
            _c(
                "empathy",
                "Acknowledges the customer's situation and stays calm",
                "understood",
                "frustrat",
                "listened",
                "apolog",
                "calm",
                "empath",
                "acknowledg",
            ),
            OWN_ACTIONS,
            OUTCOME,
        ),
        _t(
            "situational",
            "Ten customers report the same problem within an hour. How do you handle it, "
            "using {skill}?",
            PLAN,
            ROOT_CAUSE,
            STAKEHOLDERS,
            CLARITY,
        ),
    ),
    "marketing": (
        _t(
            "situational",
            "Tell us about a campaign where you used {skill}. How did you decide what success "
            "meant and what happened?",
            skill_depth("audience", "channel", "conversion", "budget", "message"),
            _c(
                "measurement",
                "Defines success up front and measures it",
                "metric",
                "measure",
                "conversion",
                "goal",
                "kpi",
                "roi",
            ),
            OUTCOME,
            REFLECTION,
        ),
    ),
    "people": (
        _t(
            "behavioural",
            "Tell us about a time {skill} was at the heart of your work. What did you do and "
            "what changed for the people involved?",
            SPECIFIC_EXAMPLE,
            OWN_ACTIONS,
            STAKEHOLDERS,
            OUTCOME,
        ),
        _t(
            "situational",
            "How would you approach {skill} in your first three months as {role}?",
            PLAN,
            STAKEHOLDERS,
            _c(
                "listening",
                "Learns the context before changing things",
                "listen",
                "learn",
                "understand",
                "ask",
                "observe",
                "one-on-one",
                "1:1",
            ),
        ),
    ),
    "business": (
        _t(
            "situational",
            "Tell us how you have used {skill} to keep work on track. What went wrong and how "
            "did you notice?",
            skill_depth("plan", "track", "risk", "deadline", "estimate"),
            SPECIFIC_EXAMPLE,
            STAKEHOLDERS,
            OUTCOME,
        ),
    ),
}
# Skills outside the vocabulary (a listed skill we do not know) get the general templates.
SKILL_TEMPLATES["general"] = (
    _ENGINEERING[0],
    _t(
        "situational",
        "What does doing {skill} well look like to you? Describe a time you did it well, or "
        "saw it done well.",
        skill_depth("practice", "standard", "approach"),
        SPECIFIC_EXAMPLE,
        OUTCOME,
    ),
)


# --- behavioural and situational competencies ---------------------------------------------------

BEHAVIOURAL: dict[str, tuple[Template, ...]] = {
    "Communication": (
        _t(
            "behavioural",
            "Tell us about a time you had to explain something complicated to people without "
            "your background. How did you make sure they understood?",
            SPECIFIC_EXAMPLE,
            CLARITY,
            OUTCOME,
        ),
        _t(
            "behavioural",
            "Describe a disagreement about how to do something at work. What did you say, and "
            "how was it resolved?",
            SPECIFIC_EXAMPLE,
            OWN_ACTIONS,
            _c(
                "respect",
                "Listens to the other view and looks for common ground",
                "listened",
                "understand",
                "perspective",
                "compromise",
                "common ground",
                "agreed",
                "respect",
            ),
            OUTCOME,
        ),
    ),
    "Ownership": (
        _t(
            "behavioural",
            "Tell us about a problem nobody owned that you decided to take on. What did you do "
            "and what happened?",
            SPECIFIC_EXAMPLE,
            OWN_ACTIONS,
            OUTCOME,
            REFLECTION,
        ),
        _t(
            "behavioural",
            "Describe a mistake you made at work. How did you find out, what did you do about "
            "it, and what changed afterwards?",
            SPECIFIC_EXAMPLE,
            _c(
                "accountability",
                "Owns the mistake without blaming others",
                "my mistake",
                "i made",
                "i missed",
                "i should have",
                "responsib",
                "apologi",
                "owned",
            ),
            OWN_ACTIONS,
            REFLECTION,
        ),
    ),
    "Problem solving": (
        _t(
            "behavioural",
            "Tell us about the hardest problem you solved in the last year. How did you "
            "approach it when the answer was not obvious?",
            SPECIFIC_EXAMPLE,
            ROOT_CAUSE,
            PLAN,
            OUTCOME,
        ),
        _t(
            "situational",
            "You are given a goal as {role} but the information you need is incomplete and the "
            "deadline is close. How do you proceed?",
            PLAN,
            TRADE_OFFS,
            STAKEHOLDERS,
        ),
    ),
    "Collaboration": (
        _t(
            "behavioural",
            "Tell us about a time you worked closely with people from another team to get "
            "something done. What made it work, or not?",
            SPECIFIC_EXAMPLE,
            STAKEHOLDERS,
            OWN_ACTIONS,
            OUTCOME,
        ),
        _t(
            "behavioural",
            "Describe a time you helped a colleague succeed. What did you do?",
            SPECIFIC_EXAMPLE,
            OWN_ACTIONS,
            _c(
                "support",
                "Supports others: coaching, sharing knowledge, unblocking",
                "helped",
                "mentor",
                "coach",
                "pair",
                "shared",
                "taught",
                "unblock",
                "support",
            ),
        ),
    ),
    "Learning and adaptability": (
        _t(
            "behavioural",
            "Tell us about a time you had to learn something new quickly to do your job. How "
            "did you go about it?",
            SPECIFIC_EXAMPLE,
            PLAN,
            OUTCOME,
            REFLECTION,
        ),
    ),
    "Leadership": (
        _t(
            "behavioural",
            "Tell us about a time you led a group through a change they did not ask for. What "
            "did you do to bring them along?",
            SPECIFIC_EXAMPLE,
            OWN_ACTIONS,
            STAKEHOLDERS,
            OUTCOME,
        ),
    ),
    "Customer focus": (
        _t(
            "behavioural",
            "Tell us about a time you changed your plans because of what a customer or user "
            "told you.",
            SPECIFIC_EXAMPLE,
            _c(
                "customer-insight",
                "Acts on what customers say or do",
                "customer",
                "user",
                "feedback",
                "interview",
                "complaint",
                "support ticket",
                "request",
            ),
            OUTCOME,
        ),
    ),
}

# Competencies every role gets, in order of preference; role families add theirs first.
CORE_COMPETENCIES = ("Communication", "Ownership", "Problem solving", "Collaboration")
ROLE_FAMILIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"\b(lead|head|manager|director|principal|vp)\b", ("Leadership",)),
    (r"\b(product|sales|account|support|success|customer)\b", ("Customer focus",)),
    (r"\b(junior|graduate|intern|trainee|apprentice)\b", ("Learning and adaptability",)),
)


def role_competencies(role: str) -> list[str]:
    """Behavioural competencies a target role calls for beyond the core ones."""
    names: list[str] = []
    for pattern, extra in ROLE_FAMILIES:
        if re.search(pattern, role, re.IGNORECASE):
            names.extend(name for name in extra if name not in names)
    return names


# --- stage and follow-ups -------------------------------------------------------------------

STAGE_WORDING: dict[str, tuple[str, int]] = {
    # stage: (sentence added to the prompt, minutes added)
    "screening": ("A short overview is enough here: the main points matter more than detail.", -1),
    "technical": (
        "Be specific: the details, the alternatives you considered and why.",
        2,
    ),
    "final": ("Tell us too how this would carry over to the work in this role.", 1),
}

FOLLOW_UP_PROMPTS = (
    "Could you make that more concrete? Pick one specific time it came up: what was the "
    "situation, what did you do yourself, and what was the result?",
    "Thank you. Could you walk us through one real example in more detail: what you did, step "
    "by step, and how you knew it had worked?",
    "Could you say more about your own part in it, and what happened in the end?",
)
FOLLOW_UP_RUBRIC = (SPECIFIC_EXAMPLE, OWN_ACTIONS, OUTCOME)


# --- coding tasks ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CodingTask:
    competency: str
    prompt: str  # `{name}`: the function's name in the chosen language
    names: dict[CodingLanguage, str]
    starter: dict[CodingLanguage, str]
    rubric: dict[CodingLanguage, tuple[RubricCriterion, ...]]


def _coding_rubric(
    name: str, define: tuple[str, ...], edge: tuple[str, ...], idiom: tuple[str, ...]
) -> tuple[RubricCriterion, ...]:
    return (
        _c("defines-function", f"Implements the requested function `{name}`", *define),
        _c("returns-result", "Returns the result rather than printing it", "return"),
        _c("edge-cases", "Handles the edge cases the task names", *edge),
        _c("idiomatic", "Uses clear, idiomatic constructs of the language", *idiom),
    )


CODING_TASKS: tuple[CodingTask, ...] = (
    CodingTask(
        competency="Coding",
        names={"python": "normalize_tags", "javascript": "normalizeTags"},
        prompt=(
            "Implement `{name}`: given a list of tags typed by people, return them trimmed, "
            "lower-cased and without duplicates, in the order they first appeared. Empty tags "
            "(or tags that are only spaces) are dropped. Explain briefly how you handled the "
            "edge cases."
        ),
        starter={
            "python": (
                "def normalize_tags(tags: list[str]) -> list[str]:\n"
                '    """Trimmed, lower-cased, de-duplicated tags in first-seen order."""\n'
                "    ...\n"
            ),
            "javascript": (
                "/** Trimmed, lower-cased, de-duplicated tags in first-seen order. */\n"
                "function normalizeTags(tags) {\n"
                "  // ...\n"
                "}\n"
            ),
        },
        rubric={
            "python": _coding_rubric(
                "normalize_tags",
                ("def normalize_tags",),
                ("if not", ".strip()", "strip()", "continue", "if tag"),
                ("set(", "seen", "for ", " in "),
            ),
            "javascript": _coding_rubric(
                "normalizeTags",
                ("function normalizeTags", "normalizeTags =", "normalizeTags("),
                ("if (!", ".trim()", "continue", "length === 0", "=== ''", '=== ""'),
                ("new Set", "const ", "for (", ".filter(", ".map("),
            ),
        },
    ),
    CodingTask(
        competency="Coding",
        names={"python": "chunk", "javascript": "chunk"},
        prompt=(
            "Implement `{name}`: split a list into consecutive chunks of at most `size` items "
            "and return the list of chunks. A size smaller than 1 is an error; an empty list "
            "gives an empty result. Explain briefly how you handled the edge cases."
        ),
        starter={
            "python": (
                "def chunk(items: list[int], size: int) -> list[list[int]]:\n"
                '    """Consecutive chunks of at most `size` items."""\n'
                "    ...\n"
            ),
            "javascript": (
                "/** Consecutive chunks of at most `size` items. */\n"
                "function chunk(items, size) {\n"
                "  // ...\n"
                "}\n"
            ),
        },
        rubric={
            "python": _coding_rubric(
                "chunk",
                ("def chunk",),
                ("raise", "valueerror", "size < 1", "size <= 0", "if not"),
                ("range(", "for ", "[i:", "append("),
            ),
            "javascript": _coding_rubric(
                "chunk",
                ("function chunk", "chunk =", "chunk("),
                ("throw", "size < 1", "size <= 0", "RangeError", ".length === 0"),
                ("const ", "for (", ".slice(", ".push("),
            ),
        },
    ),
    CodingTask(
        competency="Coding",
        names={"python": "count_words", "javascript": "countWords"},
        prompt=(
            "Implement `{name}`: count how often each word occurs in a text, ignoring case and "
            "punctuation, and return a mapping from word to count. An empty text gives an empty "
            "mapping. Explain briefly how you handled the edge cases."
        ),
        starter={
            "python": (
                "def count_words(text: str) -> dict[str, int]:\n"
                '    """How often each word occurs, ignoring case and punctuation."""\n'
                "    ...\n"
            ),
            "javascript": (
                "/** How often each word occurs, ignoring case and punctuation. */\n"
                "function countWords(text) {\n"
                "  // ...\n"
                "}\n"
            ),
        },
        rubric={
            "python": _coding_rubric(
                "count_words",
                ("def count_words",),
                ("if not", ".lower()", "lower()", "re.", "isalnum", "strip"),
                ("counter", ".get(", "for ", "split("),
            ),
            "javascript": _coding_rubric(
                "countWords",
                ("function countWords", "countWords =", "countWords("),
                ("if (!", ".toLowerCase()", "match(", "replace(", ".length === 0"),
                ("new Map", "const ", "for (", ".split(", "reduce("),
            ),
        },
    ),
)

# --- words -------------------------------------------------------------------------------------

# Frequent English words (and code keywords). Real prose is full of them; keyboard mashing has
# none. Anything here also counts as a word-like token.
_COMMON_WORDS = """
    a about above across after again against all almost also always am among an and another
    any anything are around as ask asked at away back bad be because been before being below
    best better between big both bring but by call came can could day did different do does
    doing done down during each early easy end enough even ever every example fact far feel few
    find first for found from full get give go going good got great had half hand hard has have
    having he help her here high him his how however i i'd i'll i'm i've idea if important in
    into is it it's its just keep kind know last later least less let life like little long
    look lot made main make making many may me mean might more most much must my need never
    new next no not nothing now of off often ok okay old on once one only open or other our
    out over own part people place point problem put quite rather really right said same saw
    say see seem set she should show side since small so some something sometimes soon start
    still such sure take team than thank thanks that the their them then there these they
    thing things think this those though three through time to today together too took try
    turn two under until up us use used using very want was way we week well went were what
    when where whether which while who whole why will with within without work worked working
    would year years yes yet you your
    user users customer customers data code test tests bug fix build built ship shipped led
    lead plan result results project company manager product service system
    def return const var function class import async await try except catch throw raise
    lambda yield none null true false self str int dict list len print elif else break
    continue pass typeof
"""
COMMON_WORDS: frozenset[str] = frozenset(_COMMON_WORDS.split())

_VOWELS = set("aeiouy")
_CONSONANT_RUN = re.compile(r"[bcdfghjklmnpqrstvwxz]{5,}")


def looks_like_word(token: str) -> bool:
    """A rough test for an English-looking word (or a number): enough to tell an answer from
    keyboard mashing, not a dictionary."""
    lowered = token.lower()
    if lowered in COMMON_WORDS or lowered.isdigit():
        return True
    letters = [ch for ch in lowered if ch.isalpha()]
    if len(letters) < 2 or len(letters) > 24:
        return False
    vowels = sum(1 for ch in letters if ch in _VOWELS)
    ratio = vowels / len(letters)
    if ratio < 0.2 or ratio > 0.85:
        return False
    return not (_CONSONANT_RUN.search(lowered) or re.search(r"(.)\1\1", lowered))


def is_common_word(token: str) -> bool:
    return token.lower() in COMMON_WORDS


def expand(template: str, *, skill: str = "", role: str = "") -> str:
    return template.replace("{skill}", skill).replace("{role}", role)


def expand_criteria(
    criteria: Iterable[RubricCriterion], *, skill: str, aliases: Iterable[str] = ()
) -> tuple[RubricCriterion, ...]:
    """The rubric of a question on `skill`: placeholders filled, the skill's aliases added to
    the indicators that name it."""
    out = []
    for criterion in criteria:
        indicators: list[str] = []
        for indicator in criterion.indicators:
            if indicator == "{skill}":
                indicators.extend([skill.lower(), *aliases])
            else:
                indicators.append(expand(indicator, skill=skill))
        out.append(
            RubricCriterion(
                key=criterion.key,
                description=expand(criterion.description, skill=skill),
                indicators=tuple(dict.fromkeys(indicators)),
            )
        )
    return tuple(out)
