"""Malformed admin addresses are a 400 or a 404, never a 500.

A NUL byte cannot be part of any stored text, and PostgreSQL refuses to compare text with it (a DataError
raised while the page is rendered, after the admin's own checks). Rather than check each filter, search and
autocomplete parameter, every view of our model admins, and the autocomplete that searches through them,
answer 400 when the query string holds one.
"""

from functools import wraps

from django.core.exceptions import BadRequest
from django.urls import URLPattern

NUL = "\x00"


def has_nul_byte(query):
    """Whether a QueryDict (request.GET) holds a NUL byte in a name or a value."""
    return any(NUL in name or any(NUL in value for value in values) for name, values in query.lists())


def refuse_nul_bytes(request):
    if has_nul_byte(request.GET):
        raise BadRequest("NUL byte in the query string")


def _guarded(view):
    @wraps(view)
    def guarded_view(request, *args, **kwargs):
        refuse_nul_bytes(request)
        return view(request, *args, **kwargs)

    return guarded_view


class QueryStringGuardMixin:
    """For a ModelAdmin: its pages, and the autocomplete that searches it, refuse a NUL byte with a 400."""

    def get_urls(self):
        return [
            URLPattern(url.pattern, _guarded(url.callback), url.default_args, url.name)
            if isinstance(url, URLPattern)
            else url
            for url in super().get_urls()
        ]

    def get_search_results(self, request, queryset, search_term):
        # The site-wide autocomplete view is not one of ours: it reaches us here, before any query runs.
        refuse_nul_bytes(request)
        return super().get_search_results(request, queryset, search_term)
