"""The open-data API, at /api/v1/: the same addresses in every language (``?lang=`` picks the labels)."""

from django.urls import path

from funding import api

app_name = "api"

urlpatterns = [
    # Exactly the addresses of open-data-api.md (no trailing slash).
    path("summary", api.summary, name="summary"),
    path("projects", api.projects, name="projects"),
    path("projects/<str:code>", api.project, name="project"),
    path("360giving.json", api.threesixtygiving, name="360giving"),
]
