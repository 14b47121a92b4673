"""What the benchmark scripts share: Django set-up, the filter sets, percentiles, tables, targets."""

import datetime
import json
import math
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"

# Issue 6's targets, in milliseconds (latency) and as a share of the trivial view (load).
TARGETS = {
    "summary_cold_p95": 150,
    "summary_warm_p95": 15,
    # The register lists a page of projects under the dashboard's filters (issue 17).
    "register_cold_p95": 300,
    "register_warm_p95": 15,
    "admin_p95": 500,
    "change_page_p95": 200,
    "load_ratio": 0.5,
}


def setup_django():
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_bench")
    import django

    django.setup()


def filter_sets():
    """The filter sets of issue 6, on the generated data: (name, query string).

    The commune and the province are the ones with the most projects (the generator spreads
    its projects over the real territory), so the figures are those of the heaviest case of
    each kind.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.code, v.code FROM funding_project p
               JOIN cooperatives_commune c ON c.id = p.commune_id
               JOIN cooperatives_province v ON v.id = c.province_id
               WHERE c.id = (SELECT commune_id FROM funding_project GROUP BY commune_id
                             ORDER BY COUNT(*) DESC LIMIT 1) LIMIT 1"""
        )
        commune, _ = cursor.fetchone()
        cursor.execute(
            """SELECT v.code FROM funding_project p JOIN cooperatives_commune c ON c.id = p.commune_id
               JOIN cooperatives_province v ON v.id = c.province_id
               GROUP BY v.code ORDER BY COUNT(*) DESC LIMIT 1"""
        )
        province = cursor.fetchone()[0]
    return [
        ("none", ""),
        ("year", "year=2024"),
        ("sector+commune", f"sector=agriculture&commune={commune}"),
        ("province+years", f"province={province}&year_from=2019&year_to=2025"),
    ]


class count_queries:  # noqa: N801 (used as a context manager, like CaptureQueriesContext)
    """Count the SQL statements run inside the block (request_started resets Django's own log)."""

    def __enter__(self):
        from django.db import connection

        self.count = 0
        self._wrapper = connection.execute_wrapper(self._counted)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)

    def _counted(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def percentile(values, p):
    """Nearest-rank percentile: the smallest value with at least p% of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def ms(seconds):
    return f"{seconds * 1000:.1f}"


def table(headers, rows):
    """A plain-text table, columns as wide as their widest cell."""
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def machine():
    """Date, machine and PostgreSQL version, for the README's figures."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM funding_project")
        projects = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM cooperatives_holder")
        holders = cursor.fetchone()[0]
    with open("/proc/meminfo") as meminfo:
        memory_kb = int(meminfo.readline().split()[1])
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="minutes"),
        "nproc": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "postgresql": postgres,
        "python": platform.python_version(),
        "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "projects": projects,
        "holders": holders,
        "commit": _git_commit(),
    }


def _git_commit():
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def save(name, data):
    """Keep a run's figures in bench/out/<name>.json (git-ignored) for the summary."""
    OUT.mkdir(exist_ok=True)
    (OUT / f"{name}.json").write_text(json.dumps(data, indent=2, default=str))


def verdict(ok):
    return "met" if ok else "MISSED"
