"""Prometheus metrics: HTTP requests by route template and status, latency, background jobs."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "hireflow_http_requests_total",
    "HTTP requests by method, route template and status code.",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "hireflow_http_request_duration_seconds",
    "HTTP request latency by method and route template.",
    ["method", "route"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
JOBS = Gauge(
    "hireflow_jobs",
    "Background jobs in the queue by task and status (todo, doing, succeeded, failed, …).",
    ["task", "status"],
)
JOBS_SCRAPE_ERROR = Gauge(
    "hireflow_jobs_scrape_error",
    "1 when the job counts could not be read at the last scrape (database unreachable).",
)
