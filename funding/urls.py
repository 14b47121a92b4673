"""The dashboard, the register and the open-data page: public pages under a language prefix."""

from django.urls import path

from funding import about, open_data, register, views

app_name = "funding"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("projects/", register.project_list, name="project-list"),
    path("projects/<str:code>/", register.project_detail, name="project-detail"),
    path("open-data/", open_data.open_data_page, name="open-data"),
    path("about/", about.about_page, name="about"),
]
