"""Print the figures of the last run of every benchmark (bench/out/*.json) against issue 6's targets."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402


def load(name):
    path = common.OUT / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def main():
    rows, missed = [], 0
    dataset = load("dataset")
    if dataset:
        ok = dataset["seconds"] <= 300 * dataset["projects"] / 1_000_000
        missed += not ok
        rows.append(
            [
                "generate_dataset",
                f"{dataset['projects']:,} projects",
                f"{dataset['seconds']} s",
                "≤ 300 s / 1M",
                common.verdict(ok),
            ]
        )
    http = load("http")
    for r in (http or {}).get("results", []):
        missed += not r["met"]
        rows.append(
            [
                r["endpoint"],
                r["filters"],
                f"cold p95 {common.ms(r['cold_p95'])} · warm p95 {common.ms(r['warm_p95'])}",
                "≤ 150 · ≤ 15 ms",
                common.verdict(r["met"]),
            ]
        )
    for r in (load("admin") or {}).get("results", []):
        missed += not r["met"]
        target = "≤ 200 ms" if r["page"] == "change page" else "≤ 500 ms"
        rows.append(["admin", r["page"], f"p95 {common.ms(r['p95'])}", target, common.verdict(r["met"])])
    for r in (load("load") or {}).get("results", [])[1:]:
        missed += not r["met"]
        rows.append(
            [
                "load",
                r["load"],
                f"{r['ratio']:.0%} of /healthz, {r['errors']} errors",
                "≥ 50 %, 0 errors",
                common.verdict(r["met"]),
            ]
        )
    machine = (http or dataset or {}).get("machine", {})
    print(
        f"\nIssue 6 targets — {machine.get('date', '?')}, {machine.get('nproc', '?')} CPUs, "
        f"{machine.get('memory_gb', '?')} GB, PostgreSQL {machine.get('postgresql', '?')}, "
        f"load average {machine.get('load_average', '?')}"
    )
    print(common.table(["what", "case", "measured", "target", ""], rows))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
