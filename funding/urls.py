from django.urls import path

from funding import api, views

app_name = "funding"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    # Exactly the addresses of open-data-api.md (no trailing slash).
    path("api/v1/summary", api.summary, name="api-summary"),
    path("api/v1/projects", api.projects, name="api-projects"),
    path("api/v1/360giving.json", api.threesixtygiving, name="api-360giving"),
]
