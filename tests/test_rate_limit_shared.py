"""The open-data API's rate limit is one count for every worker process, so the configured limit holds.

gunicorn runs several processes; a count kept in each process's memory let 3 workers pass three times
API_RATE_LIMIT. The count is now kept in the database (or in Redis when REDIS_URL is set). Here real
separate processes run the middleware against the same database (the test database on PostgreSQL, a
file on SQLite) or the same Redis server.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory

from funding.models import ApiRequestCount
from funding.ratelimit import ApiRateLimitMiddleware, count_request

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 12
PROCESSES = 3
REQUESTS_EACH = 10
# A minute long past, fixed in every process: the test never straddles two windows.
FIXED_TIME = 1_000_000 * 60 + 30.0

# One worker: sets Django up the way gunicorn's workers do, then sends its requests through the
# middleware (the view behind it answers 200) and prints the statuses.
WORKER = """
import json, os, sys, types
import django
django.setup()
from django.http import HttpResponse
from django.test import RequestFactory
import funding.ratelimit as ratelimit
if sys.argv[1] == "create":
    from django.db import connection
    from funding.models import ApiRequestCount
    with connection.schema_editor() as editor:
        editor.create_model(ApiRequestCount)
    sys.exit(0)
ratelimit.time = types.SimpleNamespace(time=lambda: float(sys.argv[2]))
middleware = ratelimit.ApiRateLimitMiddleware(lambda request: HttpResponse("ok"))
request = RequestFactory().get("/api/v1/summary", REMOTE_ADDR="203.0.113.5")
print(json.dumps([middleware(request).status_code for _ in range(int(sys.argv[1]))]))
"""


def run_workers(env):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "API_RATE_LIMIT": str(LIMIT), **env}
    env = {key: value for key, value in env.items() if value is not None}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(REQUESTS_EACH), str(FIXED_TIME)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    statuses = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        statuses += json.loads(out)
    return statuses


def database_env(tmp_path):
    """The database the workers share: this test's own on PostgreSQL, a fresh file on SQLite."""
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
        server = f"{settings['HOST']}:{settings['PORT'] or 5432}"
        url = f"postgres://{settings['USER']}{password}@{server}/{settings['NAME']}"
        return {"DATABASE_URL": url, "REDIS_URL": None}
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}", "REDIS_URL": None}
    created = subprocess.run(
        [sys.executable, "-c", WORKER, "create"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k != "REDIS_URL"},
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": env["DATABASE_URL"],
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert created.returncode == 0, created.stderr
    return env


@pytest.mark.django_db(transaction=True)
def test_worker_processes_sharing_the_database_pass_only_the_limit_together(tmp_path):
    statuses = run_workers(database_env(tmp_path))
    assert len(statuses) == PROCESSES * REQUESTS_EACH
    assert statuses.count(200) == LIMIT
    assert statuses.count(429) == PROCESSES * REQUESTS_EACH - LIMIT


@pytest.fixture
def redis_server(tmp_path):
    """A Redis server of this test's own on a free port, stopped (by its pid) when the test ends."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    pytest.importorskip("redis")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.django_db(transaction=True)
def test_worker_processes_sharing_redis_pass_only_the_limit_together(tmp_path, redis_server):
    env = {"REDIS_URL": redis_server, "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"}
    statuses = run_workers(env)
    assert statuses.count(200) == LIMIT
    assert statuses.count(429) == PROCESSES * REQUESTS_EACH - LIMIT
    # Counted in Redis, not in the database.
    assert not ApiRequestCount.objects.exists()


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite's shared in-memory test database refuses a second writer ('table is locked') instead of "
    "waiting, as a database file does; the test of several processes covers SQLite with a file",
)
@pytest.mark.django_db(transaction=True)
def test_threads_with_their_own_connections_share_the_count(settings):
    settings.API_RATE_LIMIT = LIMIT
    settings.REDIS_URL = None
    middleware = ApiRateLimitMiddleware(lambda request: HttpResponse("ok"))

    def worker(_number):
        try:
            request = RequestFactory().get("/api/v1/projects", REMOTE_ADDR="198.51.100.7")
            return [middleware(request).status_code for _ in range(REQUESTS_EACH)]
        finally:
            connection.close()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=PROCESSES) as pool:
        statuses = [status for result in pool.map(worker, range(PROCESSES)) for status in result]
    assert statuses.count(200) == LIMIT


@pytest.mark.django_db
def test_the_count_is_kept_per_address_and_minute_and_past_minutes_are_purged(settings):
    settings.REDIS_URL = None
    ApiRequestCount.objects.all().delete()  # counts other processes committed to this database
    assert [count_request("192.0.2.1", 100) for _ in range(3)] == [1, 2, 3]
    assert count_request("192.0.2.2", 100) == 1
    assert count_request("192.0.2.1", 101) == 1
    # The first request of a new minute deletes the minutes before it.
    assert sorted(ApiRequestCount.objects.values_list("client_address", "minute", "requests")) == [
        ("192.0.2.1", 101, 1)
    ]
