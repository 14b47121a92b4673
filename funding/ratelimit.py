"""A per-client request budget for the open-data API (/api/…).

Anyone may call the API without an account, so one client must not be able to take the whole server:
each client address gets API_RATE_LIMIT requests per minute (a fixed one-minute window); past it the
answer is 429 Too Many Requests with Retry-After. The pages and the admin are not counted (the admin
login has django-axes).

The count must be one for every worker process and app server, or the limit is multiplied by their
number: with REDIS_URL set it is kept in Redis (the cache is Redis then), otherwise in the database
(ApiRequestCount, one atomic upsert per request). The local-memory cache is never used for it.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _

from funding.models import ApiRequestCount
from indh_site.ratelimit import client_address

WINDOW_SECONDS = 60
# Longer addresses (a proxy passing garbage) are cut: the budget is still per address.
ADDRESS_MAX_LENGTH = ApiRequestCount._meta.get_field("client_address").max_length

TOO_MANY = _("Too many requests: at most %(limit)s per minute. Try again in %(seconds)s s.")


def count_request(address, minute):
    """Add this request to ``address``'s count for ``minute`` (minutes since the epoch); return the count."""
    if getattr(settings, "REDIS_URL", None):
        return _count_in_cache(address, minute)
    return _count_in_database(address, minute)


def _count_in_cache(address, minute):
    key = f"ratelimit:api:{address}:{minute}"
    # add() only sets a missing key, so the first request of a window starts the count at 1; Redis'
    # INCR is atomic across processes.
    if cache.add(key, 1, timeout=WINDOW_SECONDS + 5):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=WINDOW_SECONDS + 5)
        return 1


def _count_in_database(address, minute):
    table = connection.ops.quote_name(ApiRequestCount._meta.db_table)
    # PostgreSQL and SQLite (3.35+) both take this: one statement, atomic however many workers run it.
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (client_address, minute, requests) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (minute, client_address) DO UPDATE SET requests = {table}.requests + 1 "
            "RETURNING requests",
            [address, minute],
        )
        count = cursor.fetchone()[0]
        if count == 1:
            # This address's first request of the minute: past minutes are no longer needed (the
            # unique index on (minute, …) finds them without reading the current rows).
            cursor.execute(f"DELETE FROM {table} WHERE minute < %s", [minute])  # noqa: S608
    return count


class ApiRateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = getattr(settings, "API_RATE_LIMIT", 0)
        prefix = getattr(settings, "API_RATE_LIMIT_PATH_PREFIX", "/api/")
        if limit > 0 and request.path_info.startswith(prefix):
            now = time.time()
            minute = int(now // WINDOW_SECONDS)
            address = (client_address(request) or "unknown")[:ADDRESS_MAX_LENGTH]
            if count_request(address, minute) > limit:
                retry_after = max(1, int((minute + 1) * WINDOW_SECONDS - now) + 1)
                response = JsonResponse(
                    {"errors": {"__all__": [TOO_MANY % {"limit": limit, "seconds": retry_after}]}},
                    status=429,
                    json_dumps_params={"ensure_ascii": False},
                )
                response["Retry-After"] = str(retry_after)
                return response
        return self.get_response(request)
