from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path(settings.ADMIN_URL, admin.site.urls),
    path("bilan/", include("funding.review_urls")),
    path("", include("funding.urls")),
    path("", include("cooperatives.urls")),
]
