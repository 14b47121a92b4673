import time

from django.core.management.base import BaseCommand, CommandError

from funding import synthetic


class Command(BaseCommand):
    help = (
        "Generate a reproducible synthetic national dataset (holders and projects in the kingdom's real "
        "provinces and communes) for load tests. Synthetic rows are marked (project codes and holder "
        "registration numbers starting with SYN-) and removed with --clear. Never run it on a production "
        "database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--projects", type=int, help="number of projects to generate")
        parser.add_argument("--holders", type=int, help="number of holders (default: projects / 5)")
        parser.add_argument(
            "--provinces",
            type=int,
            help="use only the P most populous provinces and prefectures (default: all 75)",
        )
        parser.add_argument(
            "--communes-per-province",
            type=int,
            help="use only the C most populous communes of each province (default: all, 1,503 in all)",
        )
        parser.add_argument("--seed", type=int, default=synthetic.DEFAULT_SEED)
        parser.add_argument("--clear", action="store_true", help="delete the synthetic data first (or only)")
        parser.add_argument(
            "--allow-real-data",
            action="store_true",
            help="generate even though the database holds real (non-demo) projects",
        )

    def handle(self, *args, projects, holders, provinces, communes_per_province, seed, clear, **options):
        if projects is None and not clear:
            raise CommandError("Give --projects N, or --clear to delete the synthetic data.")
        if clear:
            started = time.perf_counter()
            deleted = synthetic.clear()
            summary = ", ".join(f"{name} {count}" for name, count in deleted.items())
            self.stdout.write(f"synthetic data deleted: {summary} ({time.perf_counter() - started:.1f} s)")
        if projects is None:
            return
        if synthetic.synthetic_exists():
            raise CommandError("Synthetic data already exists: add --clear to replace it.")
        if not options["allow_real_data"] and synthetic.real_project_count():
            # Synthetic projects would show in the public figures next to the real ones.
            raise CommandError(
                "This database holds real projects: synthetic data would mix with them. "
                "Use a database of its own, or --allow-real-data."
            )
        try:
            plan = synthetic.Plan(
                projects=projects,
                holders=holders if holders is not None else max(1, projects // 5),
                provinces=provinces,
                communes_per_province=communes_per_province,
                seed=seed,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        started = time.perf_counter()

        def progress(message):
            self.stdout.write(f"  {message} ({time.perf_counter() - started:.1f} s)")

        counts = synthetic.generate(plan, progress=progress)
        self.stdout.write(
            "synthetic data: {provinces} provinces, {communes} communes, {holders} holders, "
            "{projects} projects".format(**counts)
            + f" in {time.perf_counter() - started:.1f} s (seed {seed})"
        )
