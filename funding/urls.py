from django.urls import path

from funding import about, api, views

app_name = "funding"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("about/", about.about_page, name="about"),
    # Exactly the addresses of open-data-api.md (no trailing slash).
    path("api/v1/summary", api.summary, name="api-summary"),
    path("api/v1/projects", api.projects, name="api-projects"),
]
