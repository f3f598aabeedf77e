from django.urls import path

from tags import views

app_name = "tags"

urlpatterns = [
    path("tags/<slug:tag>/", views.tag_page, name="tag"),
]
