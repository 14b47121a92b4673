"""A per-client request budget for the open-data API (/api/…).

Anyone may call the API without an account, so one client must not be able to take the whole server:
each client address gets API_RATE_LIMIT requests per minute (a fixed one-minute window counted in the
Django cache, shared between app servers when REDIS_URL is set); past it the answer is 429 Too Many
Requests with Retry-After. The pages and the admin are not counted (the admin login has django-axes).

The client is REMOTE_ADDR. Behind a reverse proxy every request comes from the proxy, so with
TRUST_X_FORWARDED_FOR on, the address the proxy appended last to X-Forwarded-For is used instead —
only the last hop, because anything before it was written by the client and can be forged.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _

WINDOW_SECONDS = 60


TOO_MANY = _("Too many requests: at most %(limit)s per minute. Try again in %(seconds)s s.")


def client_address(request):
    """The client's IP address as this deployment can trust it (also django-axes' AXES_CLIENT_IP_CALLABLE)."""
    if getattr(settings, "TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR") or None


class ApiRateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = getattr(settings, "API_RATE_LIMIT", 0)
        prefix = getattr(settings, "API_RATE_LIMIT_PATH_PREFIX", "/api/")
        if limit > 0 and request.path_info.startswith(prefix):
            now = time.time()
            window = int(now // WINDOW_SECONDS)
            key = f"ratelimit:api:{client_address(request) or 'unknown'}:{window}"
            # add() only sets a missing key, so the first request of a window starts the count at 1.
            if cache.add(key, 1, timeout=WINDOW_SECONDS + 5):
                count = 1
            else:
                try:
                    count = cache.incr(key)
                except ValueError:  # expired between add() and incr()
                    cache.add(key, 1, timeout=WINDOW_SECONDS + 5)
                    count = 1
            if count > limit:
                retry_after = max(1, int((window + 1) * WINDOW_SECONDS - now) + 1)
                response = JsonResponse(
                    {"errors": {"__all__": [TOO_MANY % {"limit": limit, "seconds": retry_after}]}},
                    status=429,
                    json_dumps_params={"ensure_ascii": False},
                )
                response["Retry-After"] = str(retry_after)
                return response
        return self.get_response(request)
