from django.urls import path

from funding import api, open_data, register, views

app_name = "funding"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("projects/", register.project_list, name="project-list"),
    path("projects/<str:code>/", register.project_detail, name="project-detail"),
    path("open-data/", open_data.open_data_page, name="open-data"),
    # Exactly the addresses of open-data-api.md (no trailing slash).
    path("api/v1/summary", api.summary, name="api-summary"),
    path("api/v1/projects", api.projects, name="api-projects"),
    path("api/v1/projects/<str:code>", api.project, name="api-project"),
    path("api/v1/360giving.json", api.threesixtygiving, name="api-360giving"),
]
