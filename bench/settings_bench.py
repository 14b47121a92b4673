"""Settings for the benchmarks: the production settings, on loopback, plus a trivial view.

Production-like (DEBUG off, manifest static files, the real middleware) with only what a
benchmark on 127.0.0.1 needs changed. The open-data API's per-client rate limit is off:
every request of a load test comes from one address, so the limit would turn the load test
into a test of the 429 answer.
"""

import os
from pathlib import Path

for name, value in {
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789abcdefghij",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "SECURE_HSTS_SECONDS": "0",
    "API_RATE_LIMIT": "0",
    "LOG_LEVEL": "WARNING",
}.items():
    os.environ.setdefault(name, value)

from indh_site.settings import *  # noqa: E402,F403
from indh_site.settings import BASE_DIR  # noqa: E402

ROOT_URLCONF = "bench.urls_bench"
# collectstatic for the benchmark goes here, not into the deployment's staticfiles/.
STATIC_ROOT = Path(os.environ.get("BENCH_STATIC_ROOT", BASE_DIR / "var" / "bench-static"))
