"""Whole answers of the public pages, kept until the data changes.

The dashboard, the holder directory, the yearly review and the summary API are the same for
every visitor who asks the same address in the same language, until a project, a holder or
reference data changes. Their figures are cached already (funding.queries); rendering them is then most of
the cost, so the rendered answer is kept too, under the data version that funding.signals
bumps on every change (funding.queries.data_version): a change makes every kept page stale.

Two things differ between visitors and are never kept:

- the CSRF token of the language switcher's form: pages are rendered with a placeholder
  (the context processor below), replaced with the visitor's own token on every answer;
- anything but a 200 (a 400 for a bad filter, a redirect).

Django's cache_page is close, but it keys on time alone (a change would show only after
the timeout) and it skips pages that use the CSRF token.
"""

import functools
import hashlib

from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation
from django.utils.crypto import salted_hmac

from funding import queries

# Headers that describe the answer itself (not the visitor): kept with the body.
KEPT_HEADERS = (
    "Content-Type",
    "Content-Disposition",
    "Content-Language",
    "Access-Control-Allow-Origin",
    "Vary",
)


@functools.cache
def csrf_placeholder():
    """Text standing for the CSRF token in kept pages; the same in every app server (one SECRET_KEY)."""
    return "csrf-placeholder-" + salted_hmac("indh_site.public_cache", "csrf").hexdigest()


def csrf_token_placeholder(request):
    """Context processor: while a page is rendered to be kept, {% csrf_token %} writes the placeholder."""
    if getattr(request, "rendering_for_public_cache", False):
        return {"csrf_token": csrf_placeholder()}
    return {}


def cached_public_answer(*, vary_on_headers=(), vary_on=None):
    """Keep the view's 200 answers per (data version, language, address, ``vary_on_headers``).

    The language is the one the visitor gets (cookie or browser); ``?lang=`` is in the address.
    ``vary_on``, a function of nothing, adds what else the page depends on (today's date).
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD"):
                return view(request, *args, **kwargs)
            key = _key(request, vary_on_headers, vary_on() if vary_on else "")
            kept = cache.get(key)
            if kept is None:
                request.rendering_for_public_cache = True
                response = view(request, *args, **kwargs)
                request.rendering_for_public_cache = False
                if response.status_code != 200 or response.streaming:
                    return response
                kept = (
                    response.content,
                    [(name, response[name]) for name in KEPT_HEADERS if name in response],
                )
                cache.set(key, kept, queries.CACHE_TIMEOUT)
            content, headers = kept
            placeholder = csrf_placeholder().encode()
            if placeholder in content:
                content = content.replace(placeholder, get_token(request).encode())
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
            return response

        return wrapper

    return decorator


def _key(request, vary_on_headers, extra):
    # The address as sent (parameters in their order): two spellings of one filter are two
    # entries, which costs memory only, never a wrong page.
    parts = [request.get_full_path(), extra, *(request.headers.get(name, "") for name in vary_on_headers)]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]
    return f"public:{queries.data_version()}:{translation.get_language()}:{digest}"
