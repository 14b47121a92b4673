"""Latency of /api/v1/summary, the dashboard and the register (/projects/), p50 and p95, cold and warm.

    DATABASE_URL=postgres://…/indh_bench .venv/bin/python bench/http_bench.py [--cold 40] [--warm 200]

Requests go through the whole Django stack (middleware, view, template or JSON) in this
process, with Django's test Client; no network, so the figures are the application's own.

- cold: the Django cache is cleared before every timed request, so each one computes the
  figures from the database. PostgreSQL's buffers are warm (the figures are not those of
  the first request after a database restart).
- warm: the same request again and again, served from the cache.

Prints a table; the figures are also kept in bench/out/http.json.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

# (name, URL name, target prefix in common.TARGETS); public pages are reversed in French, so that they
# are addressed under their language prefix.
ENDPOINTS = [
    ("summary", "api:summary", "summary"),
    ("dashboard", "funding:dashboard", "summary"),
    ("register", "funding:project-list", "register"),
]


def timed(client, url):
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return elapsed


def sample(measure, count, budget):
    """`count` measurements, or fewer (at least five) when they take more than `budget` seconds."""
    deadline = time.monotonic() + budget
    values = []
    while len(values) < count and (len(values) < 5 or time.monotonic() < deadline):
        values.append(measure())
    return values


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold", type=int, default=40, help="timed cold requests per URL")
    parser.add_argument("--warm", type=int, default=200, help="timed warm requests per URL")
    parser.add_argument(
        "--budget",
        type=float,
        default=60,
        help="seconds per URL and mode, after which sampling stops (≥ 5 kept)",
    )
    args = parser.parse_args()
    common.setup_django()

    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse
    from django.utils import translation

    client = Client()
    rows, results = [], []
    for endpoint, url_name, target in ENDPOINTS:
        with translation.override("fr"):
            path = reverse(url_name)
        for name, query in common.filter_sets():
            url = f"{path}?{query}" if query else path
            cache.clear()
            with common.count_queries() as queries:
                timed(client, url)  # also loads the code paths; not counted
            cold = sample(lambda url=url: (cache.clear(), timed(client, url))[1], args.cold, args.budget)
            timed(client, url)
            warm = sample(lambda url=url: timed(client, url), args.warm, args.budget)
            figures = {
                "endpoint": endpoint,
                "filters": name,
                "url": url,
                "samples": [len(cold), len(warm)],
                "cold_p50": common.percentile(cold, 50),
                "cold_p95": common.percentile(cold, 95),
                "warm_p50": common.percentile(warm, 50),
                "warm_p95": common.percentile(warm, 95),
                "queries_cold": queries.count,
            }
            figures["met"] = (
                figures["cold_p95"] * 1000 <= common.TARGETS[f"{target}_cold_p95"]
                and figures["warm_p95"] * 1000 <= common.TARGETS[f"{target}_warm_p95"]
            )
            results.append(figures)
            rows.append(
                [
                    endpoint,
                    name,
                    common.ms(figures["cold_p50"]),
                    common.ms(figures["cold_p95"]),
                    common.ms(figures["warm_p50"]),
                    common.ms(figures["warm_p95"]),
                    figures["queries_cold"],
                    f"{len(cold)}/{len(warm)}",
                    common.verdict(figures["met"]),
                ]
            )
    machine = common.machine()
    print(
        f"\nSummary and dashboard latency, ms ({machine['projects']:,} projects, "
        f"{machine['holders']:,} holders; "
        f"up to {args.cold} cold and {args.warm} warm requests per URL, {args.budget:.0f} s each at most "
        f"(n: cold/warm samples))"
    )
    print(
        common.table(
            [
                "endpoint",
                "filters",
                "cold p50",
                "cold p95",
                "warm p50",
                "warm p95",
                "SQL (cold)",
                "n",
                "target",
            ],
            rows,
        )
    )
    print(
        f"targets: p95 ≤ {common.TARGETS['summary_cold_p95']} ms cold, "
        f"≤ {common.TARGETS['summary_warm_p95']} ms warm; the register (/projects/) "
        f"≤ {common.TARGETS['register_cold_p95']} ms cold"
    )
    common.save("http", {"machine": machine, "args": vars(args), "results": results})
    return 0 if all(r["met"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
