"""Whole answers of the public pages, kept until the data change, and their HTTP validators.

The dashboard, the holder directory, the yearly review and the summary API are the same for
every visitor who asks the same address (which holds the page's language: /ar/…, or the API's
``?lang=``), until a project, a holder or reference data changes. Their figures are cached already
(funding.queries); rendering them is then most of the cost, so the rendered answer is kept too,
under the data version that funding.signals bumps on every change (funding.queries.data_version):
a change makes every kept page stale. Nothing in a public page differs between visitors (the
language switcher is plain links, no form, no CSRF token). Only 200 answers are kept.

Every public answer also carries an ``ETag`` (the data version, language, address, ``Vary`` headers
and the code's start) and a ``Last-Modified`` (the last data change, funding.queries.last_updated),
and a conditional request that still matches is answered 304 before anything is read or rendered.
"""

import functools
import hashlib

from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date

from funding import queries

# Headers that describe the answer itself (not the visitor): kept with the body.
KEPT_HEADERS = (
    "Content-Type",
    "Content-Disposition",
    "Content-Language",
    "Access-Control-Allow-Origin",
    "Vary",
)
# A new release may render the same data differently: its pages are newer than anything a
# browser kept from the previous one (each process starts with the release).
STARTED_AT = timezone.now().replace(microsecond=0)


def conditional_public_answer(*, vary_on_headers=(), vary_on=None, not_before=None):
    """``ETag``, ``Last-Modified`` and 304 answers for a public view whose answer depends on the data only.

    ``vary_on_headers``: request headers the answer depends on (besides the address and language).
    ``vary_on``, a function of nothing: what else it depends on (today's date). ``not_before``, a
    function of nothing: a time the answer is not older than, whatever the data (the start of today).
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD"):
                return view(request, *args, **kwargs)
            digest = answer_digest(request, vary_on_headers, vary_on() if vary_on else "")
            etag = f'W/"{hashlib.sha256(f"{digest}:{STARTED_AT.timestamp()}".encode()).hexdigest()[:32]}"'
            changed = [STARTED_AT, queries.last_updated(), not_before() if not_before else None]
            last_modified = max(moment for moment in changed if moment is not None)
            timestamp = int(last_modified.timestamp())
            response = get_conditional_response(request, etag=etag, last_modified=timestamp)
            if response is None:
                request.public_answer_digest = digest
                response = view(request, *args, **kwargs)
                if response.status_code != 200:
                    return response
            response.headers["ETag"] = etag
            response.headers["Last-Modified"] = http_date(timestamp)
            # Asked again each time (a 304 when nothing changed): never a stale figure from a browser cache.
            patch_cache_control(response, no_cache=True)
            patch_vary_headers(response, vary_on_headers)
            return response

        return wrapper

    return decorator


def cached_public_answer(*, vary_on_headers=(), vary_on=None, not_before=None):
    """Keep the view's 200 answers per (data version, language, address, ``vary_on_headers``, ``vary_on``).

    With the validators of conditional_public_answer.
    """

    def decorator(view):
        @functools.wraps(view)
        def keeping(request, *args, **kwargs):
            digest = getattr(request, "public_answer_digest", None)
            if digest is None:  # not a GET or HEAD
                return view(request, *args, **kwargs)
            key = f"public:{digest}"
            kept = cache.get(key)
            if kept is None:
                response = view(request, *args, **kwargs)
                if response.status_code != 200 or response.streaming:
                    return response
                kept = (
                    response.content,
                    [(name, response[name]) for name in KEPT_HEADERS if name in response],
                )
                cache.set(key, kept, queries.CACHE_TIMEOUT)
            content, headers = kept
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
            return response

        return conditional_public_answer(
            vary_on_headers=vary_on_headers, vary_on=vary_on, not_before=not_before
        )(keeping)

    return decorator


def answer_digest(request, vary_on_headers=(), extra=""):
    """What a public answer depends on, hashed: data version, language, host, address, headers, ``extra``."""
    # The address as sent (parameters in their order): two spellings of one filter are two
    # entries, which costs memory only, never a wrong page.
    parts = [
        queries.data_version(),
        translation.get_language() or "",
        request.get_host(),
        request.get_full_path(),
        extra,
        *(request.headers.get(name, "") for name in vary_on_headers),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]
