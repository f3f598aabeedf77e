from django.urls import path

from messaging import views

app_name = "messaging"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/new/", views.group_new, name="group_new"),
    path("inbox/direct/<slug:handle>/", views.direct_open, name="direct_open"),
    path("inbox/<int:pk>/", views.conversation, name="conversation"),
    path("inbox/<int:pk>/events/", views.conversation_events, name="events"),
    path("inbox/<int:pk>/read/", views.conversation_read, name="read"),
    path("inbox/<int:pk>/people/", views.conversation_people, name="people"),
    path("inbox/<int:pk>/messages/<int:sequence>/edit/", views.message_edit, name="message_edit"),
    path("inbox/<int:pk>/messages/<int:sequence>/delete/", views.message_delete, name="message_delete"),
    path("communities/<slug:slug>/rooms/", views.rooms, name="rooms"),
    path("communities/<slug:slug>/rooms/new/", views.room_new, name="room_new"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
]
