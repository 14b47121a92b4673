"""The language of a public page is in its address (/ar/…, /fr/…, /en/…; see indh_site/urls.py).

LocaleMiddleware below is Django's, with two additions:

- ``?lang=ar`` on a public address (an old shared link) is a permanent redirect to the same page
  under /ar/, without ``lang``: one address per page and language, whoever follows it;
- the redirect of an unprefixed address (``/holders/`` → ``/fr/holders/``) depends on the visitor's
  browser language and cookie: it says so (Vary) and is kept by no shared cache.

The open-data API (/api/…) and the admin keep their unprefixed addresses: ``?lang=`` on the API
picks its labels (funding.api), the admin speaks the official's chosen or browser language.
"""

from django.conf import settings
from django.http import HttpResponsePermanentRedirect
from django.middleware import locale
from django.urls import get_script_prefix, is_valid_path
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers

LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)


def _path_in(request, code):
    """The path (without the script prefix) of this page in language ``code``; None: unprefixed."""
    path = request.path_info
    current = translation.get_language_from_path(path)
    if current:
        path = path[len(current) + 1 :] or "/"
    return f"/{code}{path}" if code else path


def page_path(request, code, query=""):
    """The address of this page in language ``code`` (None: the unprefixed address), with ``query``."""
    return get_script_prefix() + _path_in(request, code)[1:] + (f"?{query}" if query else "")


def _lang_param_target(request):
    """Where ``?lang=`` sends a public page; None for an unknown language or a non-public address."""
    wanted = request.GET.getlist("lang")
    if request.method not in ("GET", "HEAD") or not wanted or wanted[-1] not in LANGUAGE_CODES:
        return None
    code = wanted[-1]
    urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
    # A language prefix only matches while its language is active.
    with translation.override(code):
        if not is_valid_path(_path_in(request, code), urlconf):
            return None
    query = request.GET.copy()
    query.pop("lang")
    return page_path(request, code, query.urlencode())


class LocaleMiddleware(locale.LocaleMiddleware):
    def process_request(self, request):
        target = _lang_param_target(request)
        if target:
            return HttpResponsePermanentRedirect(target)
        return super().process_request(request)

    def process_response(self, request, response):
        negotiating = response.status_code == 404
        response = super().process_response(request, response)
        if negotiating and response.status_code == 302:
            # Django's redirect of an unprefixed address to the visitor's language (browser or cookie).
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
            patch_cache_control(response, private=True, max_age=0)
        return response
