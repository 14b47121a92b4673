from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

# The public pages, each under a language prefix (/ar/…, /fr/…, /en/…) so that a link keeps its
# language. A new public page is one more entry here (or in a module included here): the language
# switcher, the hreflang alternates, ?lang= and the redirect of the unprefixed address follow.
public_pages = [
    path("", include("funding.urls")),
    path("bilan/", include("funding.review_urls")),
    path("", include("cooperatives.urls")),
]

urlpatterns = [
    # The admin keeps the official's chosen (or the browser's) language: no prefix.
    path("i18n/", include("django.conf.urls.i18n")),
    path(settings.ADMIN_URL, admin.site.urls),
    # The open-data API keeps its addresses in every language.
    path("api/v1/", include("funding.api_urls")),
    *i18n_patterns(*public_pages, prefix_default_language=True),
]
