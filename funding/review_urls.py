"""The yearly review, included at /bilan/ by indh_site/urls.py."""

from django.urls import path

from funding import review_views

urlpatterns = [
    path("", review_views.review, name="review"),
    path("xlsx/", review_views.review_xlsx, name="review-xlsx"),
]
