from django.urls import path

from saved import views

app_name = "saved"

urlpatterns = [
    path("", views.saved_items, name="list"),
    path("add/", views.item_save, name="save"),
    path("<int:pk>/remove/", views.item_unsave, name="unsave"),
]
