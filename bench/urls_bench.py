"""The application's URLs plus /healthz, the trivial view the load test compares against."""

from django.http import HttpResponse
from django.urls import include, path


def healthz(request):
    """As little as a Django view can do, through the same middleware as every page."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("healthz", healthz),
    path("", include("indh_site.urls")),
]
