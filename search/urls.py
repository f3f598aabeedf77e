from django.urls import path

from search import views

app_name = "search"

urlpatterns = [
    path("", views.search_page, name="search"),
    path("suggest/", views.suggest, name="suggest"),
    path("open/<int:type_id>/<int:item_id>/", views.open_result, name="open"),
]
