"""The application's URLs plus /healthz, the trivial view the load test compares against."""

from django.http import HttpResponse
from django.urls import path

from indh_site import urls


def healthz(request):
    """As little as a Django view can do, through the same middleware as every page."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("healthz", healthz),
    # Not include(): the public pages' i18n_patterns must stay in the root URLconf.
    *urls.urlpatterns,
]
