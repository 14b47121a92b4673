"""Make sure the benchmark database holds the synthetic dataset asked for; generate it if not.

    DATABASE_URL=postgres://…/indh_bench .venv/bin/python bench/dataset.py --projects 1000000 --holders 200000

Prints how long the generation took (issue 6: a million projects in under five minutes),
or, when the data is already there, the figures of the run that made it (bench/out/dataset.json).
"""

import argparse
import io
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=1_000_000)
    parser.add_argument("--holders", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    common.setup_django()

    from django.core.management import call_command

    from funding import synthetic

    wanted = {"projects": args.projects, "holders": args.holders, "seed": args.seed}
    record = common.OUT / "dataset.json"
    previous = json.loads(record.read_text()) if record.exists() else {}
    present = {
        "projects": synthetic.synthetic_projects().count(),
        "holders": synthetic.synthetic_holders().count(),
    }
    if present == {"projects": args.projects, "holders": args.holders} and previous.get("seed") == args.seed:
        print(
            f"dataset present: {args.projects:,} projects, {args.holders:,} holders "
            f"(generated in {previous.get('seconds', '?')} s on {previous.get('date', '?')})"
        )
        return 0
    print(
        f"generating {args.projects:,} projects and {args.holders:,} holders (seed {args.seed})…", flush=True
    )
    output = io.StringIO()
    started = time.perf_counter()
    call_command(
        "generate_dataset",
        "--clear",
        f"--projects={args.projects}",
        f"--holders={args.holders}",
        f"--seed={args.seed}",
        stdout=output,
    )
    seconds = round(time.perf_counter() - started, 1)
    print(output.getvalue(), end="")
    machine = common.machine()
    common.save("dataset", {**wanted, "seconds": seconds, "date": machine["date"], "machine": machine})
    print(f"generation: {seconds} s (target: under 300 s for a million projects)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
