from django.urls import path

from subscriptions import views

app_name = "subscriptions"

urlpatterns = [
    path("", views.subscriptions_list, name="list"),
    path("settings/", views.preferences_save, name="preferences"),
    path("pause/", views.pause, name="pause"),
    path("follow/", views.follow_target, name="follow"),
    path("mail-failure/", views.mail_failure_clear, name="mail_failure_clear"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
