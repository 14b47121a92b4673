"""The site's URLs plus a view that fails, to see what a visitor gets from an unexpected error."""

from django.urls import path

from indh_site.urls import urlpatterns as site_urlpatterns


def failing_view(request):
    raise RuntimeError("secret detail: password=hunter2 in /srv/indh/settings")


urlpatterns = [path("fails/", failing_view), *site_urlpatterns]
