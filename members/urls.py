from django.urls import path

from members import views as directory

app_name = "members"

urlpatterns = [
    path("", directory.member_directory, name="directory"),
    path("autocomplete/", directory.member_autocomplete, name="autocomplete"),
    path("<int:pk>/", directory.member_profile, name="profile"),
    path("<int:pk>/photo/", directory.member_photo, name="photo"),
]
