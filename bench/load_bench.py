"""Throughput under load: gunicorn on loopback, 16 concurrent clients, 30 seconds per URL set.

    DATABASE_URL=postgres://…/indh_bench .venv/bin/python bench/load_bench.py [--duration 30] [--clients 16]

Starts gunicorn (bench settings: production settings plus /healthz) on a free port of
127.0.0.1, then loads, one after the other:

- /healthz, a trivial Django view through the same middleware: the reference;
- /api/v1/summary and the dashboard (/), each cycling through the four filter sets.

Reports requests per second, the ratio to /healthz measured in the same run, latency
percentiles and every error (connection errors, timeouts, answers other than 200). Uses
wrk (Debian: apt-get install -y wrk) when installed, else a bounded Python load generator.
Every load is bounded in time and in requests; nothing leaves the loopback interface.
The cache is the settings' own (local memory per worker, Redis when REDIS_URL is set) and
warms up as in production.
"""

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

MAX_REQUESTS = 2_000_000  # the Python load generator's bound, whatever the duration


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(port, workers):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings_bench"}
    process = subprocess.Popen(
        [
            str(common.ROOT / ".venv" / "bin" / "gunicorn"),
            "indh_site.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--chdir",
            str(common.ROOT),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=common.ROOT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _ = get(port, "/healthz")
            if status == 200:
                return process
        except OSError:
            pass
        if process.poll() is not None:
            raise SystemExit("gunicorn did not start")
        time.sleep(0.2)
    stop(process)
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def stop(process):
    """Stop the gunicorn this script started (its master process, by pid)."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def get(port, path, connection=None):
    conn = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers={"Host": "127.0.0.1"})
    response = conn.getresponse()
    response.read()
    if connection is None:
        conn.close()
    return response.status, response


def warm_up(port, paths, workers):
    """Fill every worker's cache for every path (local-memory caches are per worker)."""
    for path in paths:
        for _ in range(workers * 4):
            get(port, path)


def run_wrk(port, paths, *, clients, duration):
    script = (
        "paths = {" + ", ".join(f'"{p}"' for p in paths) + "}\n"
        "counter = 0\n"
        "request = function()\n"
        "  counter = counter + 1\n"
        "  return wrk.format('GET', paths[(counter % #paths) + 1])\n"
        "end\n"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    try:
        output = subprocess.run(
            [
                "wrk",
                f"-t{min(2, clients)}",
                f"-c{clients}",
                f"-d{duration}s",
                "--timeout",
                "10s",
                "--latency",
                "-s",
                lua.name,
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            timeout=duration + 60,
            check=True,
        ).stdout
    finally:
        os.unlink(lua.name)
    return parse_wrk(output)


def parse_wrk(output):
    def number(pattern, default=0.0):
        match = re.search(pattern, output)
        return float(match.group(1)) if match else default

    def latency(label):
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
        if not match:
            return None
        value, unit = float(match.group(1)), match.group(2)
        return value * {"us": 1e-6, "ms": 1e-3, "s": 1}[unit]

    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    errors += int(number(r"Non-2xx or 3xx responses: (\d+)"))
    return {
        "requests": int(number(r"(\d+) requests in")),
        "rps": number(r"Requests/sec:\s+([\d.]+)"),
        "errors": errors,
        "p50": latency("50"),
        "p99": latency("99"),
        "tool": "wrk",
    }


def run_python(port, paths, *, clients, duration):
    """A bounded load generator: `clients` threads with keep-alive connections, for `duration` s."""
    deadline = time.monotonic() + duration
    lock = threading.Lock()
    totals = {"requests": 0, "errors": 0}
    latencies = []

    def client(offset):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        n = offset
        while time.monotonic() < deadline:
            with lock:
                if totals["requests"] >= MAX_REQUESTS:
                    break
                totals["requests"] += 1
            started = time.perf_counter()
            try:
                status, _ = get(port, paths[n % len(paths)], conn)
                failed = status != 200
            except (OSError, http.client.HTTPException):
                failed = True
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            elapsed = time.perf_counter() - started
            with lock:
                totals["errors"] += failed
                latencies.append(elapsed)
            n += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + 30)
    elapsed = time.monotonic() - started
    return {
        "requests": totals["requests"],
        "rps": totals["requests"] / elapsed,
        "errors": totals["errors"],
        "p50": common.percentile(latencies, 50) if latencies else None,
        "p99": common.percentile(latencies, 99) if latencies else None,
        "tool": "python",
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=30, help="seconds of load per URL set")
    parser.add_argument("--clients", type=int, default=16, help="concurrent connections")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", "3")))
    args = parser.parse_args()
    common.setup_django()

    sets = common.filter_sets()
    loads = [
        ("trivial view /healthz", ["/healthz"]),
        (
            "/api/v1/summary, 4 filter sets",
            [f"/api/v1/summary?{q}" if q else "/api/v1/summary" for _, q in sets],
        ),
        ("dashboard /, 4 filter sets", [f"/?{q}" if q else "/" for _, q in sets]),
    ]
    load = run_wrk if shutil.which("wrk") else run_python
    port = free_port()
    process = start_gunicorn(port, args.workers)
    results = []
    try:
        for name, paths in loads:
            warm_up(port, paths, args.workers)
            figures = load(port, paths, clients=args.clients, duration=args.duration)
            results.append({"load": name, "paths": paths, **figures})
    finally:
        stop(process)
    reference = results[0]["rps"] or 1
    rows = []
    for figures in results:
        figures["ratio"] = figures["rps"] / reference
        figures["met"] = figures["errors"] == 0 and (
            figures is results[0] or figures["ratio"] >= common.TARGETS["load_ratio"]
        )
        rows.append(
            [
                figures["load"],
                f"{figures['rps']:.1f}",
                f"{figures['ratio']:.0%}",
                figures["requests"],
                figures["errors"],
                common.ms(figures["p50"]) if figures["p50"] is not None else "?",
                common.ms(figures["p99"]) if figures["p99"] is not None else "?",
                common.verdict(figures["met"]),
            ]
        )
    machine = common.machine()
    print(
        f"\nThroughput: gunicorn, {args.workers} sync workers, {args.clients} concurrent clients, "
        f"{args.duration} s per load, {results[0]['tool']} on 127.0.0.1)"
    )
    print(
        common.table(
            ["load", "req/s", "vs /healthz", "requests", "errors", "p50 ms", "p99 ms", "target"], rows
        )
    )
    print(f"target: at least {common.TARGETS['load_ratio']:.0%} of /healthz, zero errors")
    common.save("load", {"machine": machine, "args": vars(args), "results": results})
    return 0 if all(r["met"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
