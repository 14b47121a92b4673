from django.urls import path

from cooperatives import views

app_name = "cooperatives"

urlpatterns = [
    path("holders/", views.holder_list, name="holder-list"),
    path("holders/<int:pk>/", views.holder_detail, name="holder-detail"),
]
