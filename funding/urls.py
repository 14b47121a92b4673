"""The dashboard, one of the public pages (under a language prefix, see indh_site/urls.py)."""

from django.urls import path

from funding import views

app_name = "funding"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
