"""Which address a request comes from, as this deployment can trust it.

Used by the open-data API's rate limit (funding/ratelimit.py) and by django-axes' login lockout
(AXES_CLIENT_IP_CALLABLE). The client is REMOTE_ADDR. Behind a reverse proxy every request comes
from the proxy, so with TRUST_X_FORWARDED_FOR on, the address the proxy appended last to
X-Forwarded-For is used instead — only the last hop, because anything before it was written by the
client and can be forged.
"""

from django.conf import settings


def client_address(request):
    """The client's IP address as this deployment can trust it (also django-axes' AXES_CLIENT_IP_CALLABLE)."""
    if getattr(settings, "TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR") or None
