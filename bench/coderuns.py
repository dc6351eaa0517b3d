"""Code-run latency for `make bench`: how long a trivial solution takes to run against three
tests in the sandbox (`hireflow.sandbox.run_tests`), Python and JavaScript, one run at a time.

It is the sandbox's own latency — launcher, namespaces, minimal root, Landlock, interpreter
start-up, harness — so the runs are made in-process, not over HTTP. The first runs warm up and
are not measured. Also runnable alone: `python -m bench.coderuns [--runs N]`.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Any

from bench import load
from hireflow.sandbox import Language, TestCase, availability, run_tests

WARMUP_RUNS = 5
SOLUTIONS: dict[Language, str] = {
    "python": "def add(a, b):\n    return a + b\n",
    "javascript": "function add(a, b) { return a + b; }\n",
}
TESTS = [
    TestCase("small", [1, 2], 3),
    TestCase("negative", [-4, 1], -3),
    TestCase("hidden", [10**6, 1], 1_000_001, hidden=True),
]


async def _measure(language: Language, runs: int) -> dict[str, Any]:
    name = f"code run: trivial {language}, 3 tests (sandbox)"
    ok, reason = availability(language)
    if not ok:
        return {"name": name, "unavailable": reason}
    latencies: list[float] = []
    errors: list[str] = []
    for n in range(WARMUP_RUNS + runs):
        started = time.perf_counter()
        result = await run_tests(language, SOLUTIONS[language], "add", TESTS)
        elapsed = time.perf_counter() - started
        if result.status != "ok":
            errors.append(f"{result.status}: {result.detail}")
        elif n >= WARMUP_RUNS:
            latencies.append(elapsed)
    ordered = sorted(latencies)

    def ms(p: float) -> float | None:
        return round(load.percentile(ordered, p) * 1000, 1) if ordered else None

    return {
        "name": name,
        "runs": len(ordered),
        "p50_ms": ms(50),
        "p90_ms": ms(90),
        "p99_ms": ms(99),
        "max_ms": round(ordered[-1] * 1000, 1) if ordered else None,
        "mean_ms": round(statistics.fmean(ordered) * 1000, 1) if ordered else None,
        "errors": len(errors),
        "error_samples": sorted(set(errors))[: load.ERROR_SAMPLES],
    }


def measure(runs: int) -> list[dict[str, Any]]:
    """One result per language."""

    async def both() -> list[dict[str, Any]]:
        return [await _measure(language, runs) for language in SOLUTIONS]

    return asyncio.run(both())


def render(results: list[dict[str, Any]]) -> str:
    width = max(len(r["name"]) for r in results)
    lines = [
        f"{'code run':<{width}} {'runs':>5} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} "
        f"{'max ms':>8} {'errors':>7}"
    ]
    for r in results:
        if "unavailable" in r:
            lines.append(f"{r['name']:<{width}} unavailable: {r['unavailable']}")
            continue

        def number(value: float | None) -> str:
            return "-" if value is None else f"{value:,.1f}"

        lines.append(
            f"{r['name']:<{width}} {r['runs']:>5} {number(r['p50_ms']):>8} "
            f"{number(r['p90_ms']):>8} {number(r['p99_ms']):>8} {number(r['max_ms']):>8} "
            f"{r['errors']:>7}"
        )
        if r["errors"]:
            lines.append(f"ERRORS in {r['name']}: {r['error_samples']}")
    lines.append(f"(one run at a time, in-process, after {WARMUP_RUNS} warm-up runs)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.coderuns", description=__doc__)
    parser.add_argument("--runs", type=int, default=100, help="measured runs per language")
    args = parser.parse_args(argv)
    if not 1 <= args.runs <= 10_000:
        parser.error("--runs must be within 1..10000")
    results = measure(args.runs)
    print(render(results))
    return 1 if any(r.get("errors") for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
