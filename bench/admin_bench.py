"""Latency of the admin's project pages, p50 and p95: the list, a search by code, a filter, a change page.

    DATABASE_URL=postgres://…/indh_bench .venv/bin/python bench/admin_bench.py [--runs 20]

In this process, through the whole Django stack, as a superuser (who sees every province:
the unfiltered list is the heaviest case). Prints a table; figures kept in bench/out/admin.json.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="timed requests per page")
    args = parser.parse_args()
    common.setup_django()

    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from cooperatives.models import Sector
    from funding.models import Project

    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    changelist = reverse("admin:funding_project_changelist")
    # A project from the middle of the table, found through the unique code index.
    code = Project.objects.order_by("code").values_list("code", flat=True)[Project.objects.count() // 2]
    project_id = Project.objects.get(code=code).pk
    agriculture = Sector.objects.get(code="agriculture").pk
    pages = [
        ("list", changelist, "admin_p95"),
        ("search by code", f"{changelist}?q={code}", "admin_p95"),
        ("filter sector + year", f"{changelist}?sector__id__exact={agriculture}&year=2024", "admin_p95"),
        ("change page", reverse("admin:funding_project_change", args=[project_id]), "change_page_p95"),
    ]
    rows, results = [], []
    for name, url, target in pages:
        response = client.get(url)
        if response.status_code != 200 or "?e=1" in response.get("Location", ""):
            raise SystemExit(f"{url} answered {response.status_code}")
        with common.count_queries() as queries:
            client.get(url)
        timings = []
        for _ in range(args.runs):
            started = time.perf_counter()
            client.get(url)
            timings.append(time.perf_counter() - started)
        p50, p95 = common.percentile(timings, 50), common.percentile(timings, 95)
        met = p95 * 1000 <= common.TARGETS[target]
        results.append(
            {"page": name, "url": url, "p50": p50, "p95": p95, "queries": queries.count, "met": met}
        )
        rows.append(
            [name, common.ms(p50), common.ms(p95), queries.count, common.TARGETS[target], common.verdict(met)]
        )
    machine = common.machine()
    print(f"\nAdmin project pages, ms ({machine['projects']:,} projects; {args.runs} requests per page)")
    print(common.table(["page", "p50", "p95", "SQL", "target p95", "target"], rows))
    common.save("admin", {"machine": machine, "args": vars(args), "results": results})
    return 0 if all(r["met"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
