"""The offline model: questions from a vocabulary and templates, follow-ups and rubric scoring by
keyword evidence. Deterministic (a `random.Random(brief.seed)`, never the clock), needs no
network, and open about what it is: questions carry `source="offline"` and every reason starts
with "Offline rubric check:"."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import cache

from hireflow.ai import offline_bank as bank
from hireflow.ai.guard import score_guarded, strip_instructions
from hireflow.ai.model import (
    CallContext,
    CriterionResult,
    InterviewBrief,
    Question,
    QuestionScore,
    RubricCriterion,
)

NAME = "offline"
REASON_PREFIX = "Offline rubric check: "
THIN_ANSWER_WORDS = 25  # fewer words than this is a thin answer (follow-up, capped score)
THIN_SCORE_CAP = 40
MAX_QUESTIONS = 50
CRITERIA_POINTS = 70  # the rest (30) is for substance
_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’]*|\d+")
_SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*\s+|\n+")
_FIRST_PERSON_ACTION = re.compile(
    r"\bI\s+(?:\w+ed|built|led|wrote|ran|made|took|set|drove|chose|found|spent|brought|taught|"
    r"began|did|sent|spoke|gave|kept|met|won|put|cut|got|sat|told|broke|fought|sold|held)\b"
)
_STAR_MARKERS = (
    # situation, task, action, result
    re.compile(r"\b(?:when|at the time|situation|context|we had|last year|at my)\b", re.I),
    re.compile(r"\b(?:my role|responsible|my job|goal|task|needed to|had to|asked to)\b", re.I),
    re.compile(r"\bI\s+(?:decided|started|built|led|wrote|set up|talked|proposed|made)\b"),
    re.compile(r"\b(?:as a result|in the end|result|outcome|which led|afterwards)\b", re.I),
)
_REASONING = re.compile(r"\b(?:because|so that|which meant|trade-?offs?|instead of)\b", re.I)
_EXPLANATION = re.compile(r"(?:#|//|/\*|\"\"\"|\bbecause\b|\bedge case)", re.I)
_EXAMPLE_USE = re.compile(r"\b(?:assert|console\.log|print\(|example|expect\()", re.I)


# --- matching ----------------------------------------------------------------------------------

_SUFFIXES = ("ing", "ion", "ment", "ed", "es", "ly", "s", "e")


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


@cache
def indicator_pattern(indicator: str) -> re.Pattern[str]:
    """Words and phrases match on word boundaries, their last word also in close forms
    ("measure" → "measured", "measuring"); anything with symbols ("def ", "if (!") verbatim."""
    cleaned = indicator.strip().lower()
    if (
        cleaned
        and re.fullmatch(r"[a-z0-9]+(?:[ -][a-z0-9]+)*", cleaned)
        and indicator == (indicator.strip())
    ):
        *head, last = re.split(r"[ -]", cleaned)
        tail = rf"{re.escape(_stem(last))}\w*" if len(last) > 3 else rf"{re.escape(last)}\b"
        body = r"[\s-]+".join([*(re.escape(w) for w in head), tail])
        return re.compile(rf"\b{body}", re.IGNORECASE)
    prefix = r"\b" if re.match(r"\w", indicator) else ""
    return re.compile(prefix + re.escape(indicator), re.IGNORECASE)


# Words of a rubric's phrasing, not of its subject ("Describes a specific example …").
_RUBRIC_WORDS = frozenset(
    [
        "describes",
        "explains",
        "shows",
        "gives",
        "mentions",
        "names",
        "states",
        "candidate",
        "answer",
        "clear",
        "clearly",
        "specific",
        "concrete",
        "example",
        "examples",
        "their",
        "about",
        "which",
    ]
)


def _indicators(criterion: RubricCriterion) -> tuple[str, ...]:
    """The criterion's indicators; for a criterion written without any (a kit question's), the
    distinctive words of its description."""
    if criterion.indicators:
        return criterion.indicators
    words = re.findall(r"[A-Za-z][A-Za-z-]{4,}", criterion.description)
    return tuple(
        dict.fromkeys(
            w.lower()
            for w in words
            if not bank.is_common_word(w) and w.lower() not in _RUBRIC_WORDS
        )
    )


def _first_match(criterion: RubricCriterion, text: str) -> re.Match[str] | None:
    indicators = _indicators(criterion)
    matches = [m for ind in indicators if (m := indicator_pattern(ind).search(text))]
    return min(matches, key=lambda m: m.start()) if matches else None


def _sentence_around(text: str, match: re.Match[str]) -> str:
    """The sentence (or line) of `text` containing `match`, verbatim; a window of it when the
    sentence is very long."""
    start, end = 0, len(text)
    for boundary in _SENTENCE_END.finditer(text):
        if boundary.end() <= match.start():
            start = boundary.end()
        elif boundary.start() >= match.end():
            end = boundary.start() + (1 if text[boundary.start()] in ".!?" else 0)
            break
    if end - start > 300:
        start = max(start, match.start() - 140)
        end = min(end, match.end() + 140)
    return text[start:end].strip()


def words_of(text: str) -> list[str]:
    return _TOKEN.findall(text)


def looks_like_gibberish(tokens: list[str]) -> bool:
    """Mostly non-words: few tokens look like words and almost none is a common word."""
    if not tokens:
        return False
    wordlike = sum(1 for t in tokens if bank.looks_like_word(t)) / len(tokens)
    common = sum(1 for t in tokens if bank.is_common_word(t)) / len(tokens)
    return wordlike < 0.5 or (len(tokens) >= 4 and common < 0.1 and wordlike < 0.7)


# --- questions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Topic:
    name: str
    category: str
    aliases: tuple[str, ...]


def _skill_topics(brief: InterviewBrief) -> tuple[list[_Topic], list[_Topic]]:
    """The brief's listed skills, then the skills found in the role and job description."""
    seen: set[str] = set()

    def add(into: list[_Topic], topic: _Topic) -> None:
        if topic.name.lower() not in seen:
            seen.add(topic.name.lower())
            into.append(topic)

    listed: list[_Topic] = []
    for raw in brief.skills:
        name = raw.strip()[:80]
        if not name:
            continue
        skill = bank.lookup_skill(name)
        if skill is None:
            add(listed, _Topic(name, "general", (name.lower(),)))
        else:
            add(listed, _Topic(skill.name, skill.category, skill.aliases))
    found: list[_Topic] = []
    for skill in bank.find_skills(f"{brief.target_role}\n{brief.job_description}"):
        add(found, _Topic(skill.name, skill.category, skill.aliases))
    return listed, found


class _Picker:
    """Templates drawn without repeats (until a category runs out)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[tuple[str, int]] = set()

    def pick(
        self, category: str, templates: tuple[bank.Template, ...], kind: str | None = None
    ) -> bank.Template:
        indexed = [(i, t) for i, t in enumerate(templates) if kind is None or t.kind == kind]
        fresh = [(i, t) for i, t in indexed if (category, i) not in self.used] or indexed
        index, template = self.rng.choice(fresh)
        self.used.add((category, index))
        return template


def _question(
    number: int,
    template: bank.Template,
    *,
    competency: str,
    role: str,
    aliases: tuple[str, ...] = (),
    stage: str | None,
) -> Question:
    phrase = bank.in_sentence(competency)
    prompt = bank.expand(template.prompt, skill=phrase, role=role)
    minutes = template.minutes
    wording = bank.STAGE_WORDING.get((stage or "").strip().lower())
    if wording is not None:
        prompt = f"{prompt} {wording[0]}"
        minutes = max(2, minutes + wording[1])
    return Question(
        id=f"q{number}",
        kind=template.kind,
        competency=competency[:80],
        prompt=prompt,
        suggested_minutes=minutes,
        rubric=bank.expand_criteria(template.rubric, skill=phrase, aliases=aliases),
        source=NAME,
    )


def _coding_question(number: int, brief: InterviewBrief, rng: random.Random) -> Question:
    assert brief.coding_language is not None
    language = brief.coding_language
    task = rng.choice(bank.CODING_TASKS)
    label = "Python" if language == "python" else "JavaScript"
    return Question(
        id=f"q{number}",
        kind="coding",
        competency=f"{task.competency} ({label})",
        prompt=task.prompt.replace("{name}", task.names[language]),
        language=language,
        starter_code=task.starter[language],
        suggested_minutes=15,
        rubric=task.rubric[language],
        source=NAME,
    )


def plan_questions(brief: InterviewBrief) -> list[Question]:
    """The interview's questions: the kit's first (renumbered), then generated ones up to
    `question_count`: skills from the brief and job description, behavioural and situational
    competencies from the role, and one coding question when a language is set."""
    rng = random.Random(brief.seed)  # noqa: S311 - reproducible by design, not secret
    count = max(0, min(brief.question_count, MAX_QUESTIONS))
    kit = [
        q.model_copy(update={"id": f"q{i}", "follow_up_of": None})
        for i, q in enumerate(brief.kit_questions[:count], start=1)
    ]
    remaining = count - len(kit)
    coding = (
        brief.coding_language is not None
        and remaining > 0
        and not any(q.kind == "coding" for q in kit)
    )
    slots = remaining - (1 if coding else 0)

    listed, found = _skill_topics(brief)
    rng.shuffle(listed)
    rng.shuffle(found)
    topics = listed + found
    role = brief.target_role.strip() or "this role"
    behaviours = bank.role_competencies(role)
    core = [c for c in bank.CORE_COMPETENCIES if c not in behaviours]
    others = [c for c in bank.BEHAVIOURAL if c not in behaviours and c not in core]
    rng.shuffle(core)
    rng.shuffle(others)
    behaviours += core + others

    needs_behavioural = count >= 3 and not any(q.kind == "behavioural" for q in kit)
    n_behaviour = max(1 if needs_behavioural else 0, round(slots * 0.4)) if topics else slots
    n_behaviour = min(n_behaviour, slots)
    n_skill = min(slots - n_behaviour, len(topics))
    n_behaviour = slots - n_skill

    picker = _Picker(rng)
    behavioural: list[tuple[bank.Template, str, tuple[str, ...]]] = []
    for i in range(n_behaviour):
        name = behaviours[i % len(behaviours)]
        kind = "behavioural" if i == 0 else None  # the first is a true behavioural question
        behavioural.append((picker.pick(name, bank.BEHAVIOURAL[name], kind), name, ()))
    technical = []
    for topic in topics[:n_skill]:
        templates = bank.SKILL_TEMPLATES.get(topic.category, bank.SKILL_TEMPLATES["general"])
        technical.append((picker.pick(topic.category, templates), topic.name, topic.aliases))

    # A behavioural warm-up first, the rest in a seed-dependent order, coding last.
    rest = behavioural[1:] + technical
    rng.shuffle(rest)
    ordered = behavioural[:1] + rest
    questions = list(kit)
    for template, competency, aliases in ordered:
        questions.append(
            _question(
                len(questions) + 1,
                template,
                competency=competency,
                role=role,
                aliases=aliases,
                stage=brief.stage,
            )
        )
    if brief.session_goal and len(questions) > len(kit):
        first = questions[len(kit)]
        goal = brief.session_goal.strip().rstrip(".")[:300]
        questions[len(kit)] = first.model_copy(
            update={"prompt": f"(Focus of this interview: {goal}.) {first.prompt}"}
        )
    if coding:
        questions.append(_coding_question(len(questions) + 1, brief, rng))
    return questions


# --- follow-ups --------------------------------------------------------------------------------


def can_follow_up(question: Question, answer: str) -> bool:
    """Rules every model keeps: no follow-up to a coding question or to a follow-up, and none to
    an empty answer (nothing to follow up on)."""
    if question.kind == "coding" or question.follow_up_of is not None:
        return False
    text, _ = strip_instructions(answer)
    return bool(text.strip())


def plan_follow_up(brief: InterviewBrief, question: Question, answer: str) -> Question | None:
    """A follow-up when the answer is thin or shows none of the rubric's indicators."""
    if not can_follow_up(question, answer):
        return None
    text, _ = strip_instructions(answer)
    thin = len(words_of(text)) < THIN_ANSWER_WORDS
    evidenced = any(_first_match(c, text) for c in question.rubric)
    if not thin and evidenced:
        return None
    rng = random.Random(f"{brief.seed}:{question.id}")  # noqa: S311 - reproducible
    return Question(
        id=f"{question.id}f1",
        kind=question.kind,
        competency=question.competency,
        prompt=rng.choice(bank.FOLLOW_UP_PROMPTS),
        suggested_minutes=3,
        rubric=bank.FOLLOW_UP_RUBRIC,
        follow_up_of=question.id,
        source=NAME,
    )


# --- scoring -----------------------------------------------------------------------------------


def _substance(question: Question, text: str, tokens: list[str]) -> tuple[int, list[str]]:
    """Up to 30 points for substance, and what earned them (for the reason)."""
    notes: list[str] = []
    if question.kind == "coding":
        lines = [line for line in text.splitlines() if line.strip()]
        points = min(16, 2 * len(lines))
        notes.append(f"{len(lines)} non-blank lines")
        if _EXPLANATION.search(text):
            points += 8
            notes.append("an explanation or comments")
        if _EXAMPLE_USE.search(text):
            points += 6
            notes.append("an example or check of its use")
        return min(30, points), notes
    points = min(10, 2 + len(tokens) // 15)
    notes.append(f"about {len(tokens)} words")
    if re.search(r"\d", text):
        points += 5
        notes.append("concrete figures")
    if _first_match(bank.OUTCOME, text):
        points += 5
        notes.append("a stated result")
    actions = len(_FIRST_PERSON_ACTION.findall(text))
    if actions:
        points += min(6, 2 * actions)
        notes.append("their own actions in the first person")
    if question.kind == "behavioural":
        star = sum(1 for marker in _STAR_MARKERS if marker.search(text))
        points += star
        if star >= 3:
            notes.append("a situation-task-action-result shape")
    elif _REASONING.search(text):
        points += 4
        notes.append("reasoning for the choices")
    return min(30, points), notes


def _describe(criteria: list[RubricCriterion]) -> str:
    return "; ".join(c.description.rstrip(".") for c in criteria)


def rubric_score(question: Question, text: str) -> QuestionScore:
    """Score an (already guarded) answer against the question's rubric."""
    tokens = words_of(text)
    unmet = tuple(CriterionResult(key=c.key, met=False) for c in question.rubric)

    def result(score: int, reason: str, **extra: object) -> QuestionScore:
        return QuestionScore.model_validate(
            {
                "question_id": question.id,
                "competency": question.competency,
                "score": score,
                "reason": (REASON_PREFIX + reason)[:2000],
                "model": NAME,
                **extra,
            }
        )

    if not text.strip():
        return result(
            0,
            "no answer was given, so none of the rubric's criteria is evidenced.",
            criteria=unmet,
            flags=("empty",),
        )
    if looks_like_gibberish(tokens):
        return result(
            0,
            "the answer does not read as words (most of it looks like random letters), so none "
            "of the rubric's criteria is evidenced.",
            criteria=unmet,
            flags=("gibberish",),
        )

    results: list[CriterionResult] = []
    met: list[RubricCriterion] = []
    missed: list[RubricCriterion] = []
    for criterion in question.rubric:
        match = _first_match(criterion, text)
        if match is None:
            results.append(CriterionResult(key=criterion.key, met=False))
            missed.append(criterion)
        else:
            quote = _sentence_around(text, match)
            results.append(CriterionResult(key=criterion.key, met=True, quote=quote or None))
            met.append(criterion)
    coverage = round(CRITERIA_POINTS * len(met) / len(question.rubric))
    substance, notes = _substance(question, text, tokens)
    score = min(100, coverage + substance)
    capped = question.kind != "coding" and len(tokens) < THIN_ANSWER_WORDS
    if capped:
        score = min(score, THIN_SCORE_CAP)

    parts = [f"{len(met)} of {len(question.rubric)} rubric criteria are evidenced."]
    if met:
        parts.append(f"Evidenced: {_describe(met)}.")
    if missed:
        parts.append(f"Not evidenced: {_describe(missed)}.")
    parts.append(f"Substance: {', '.join(notes)}.")
    split = f"{coverage} for the criteria and {substance} for substance"
    if capped:
        parts.append(
            f"Score {score}/100 ({split}, capped at {THIN_SCORE_CAP} because the answer is short)."
        )
    else:
        parts.append(f"Score {score}/100 ({split}).")
    quotes = tuple(dict.fromkeys(r.quote for r in results if r.quote))
    return result(score, " ".join(parts), criteria=tuple(results), quotes=quotes)


class OfflineModel:
    """The model hireflow always has: no network, no API key, same input → same output."""

    name: str = NAME
    offline: bool = True

    async def generate_questions(self, brief: InterviewBrief, call: CallContext) -> list[Question]:
        return plan_questions(brief)

    async def follow_up(
        self, brief: InterviewBrief, question: Question, answer: str, call: CallContext
    ) -> Question | None:
        return plan_follow_up(brief, question, answer)

    async def score_answer(
        self, question: Question, answer: str, call: CallContext
    ) -> QuestionScore:
        async def score(text: str) -> QuestionScore:
            return rubric_score(question, text)

        return await score_guarded(
            question, answer, model=self.name, score=score, reason_prefix=REASON_PREFIX
        )
