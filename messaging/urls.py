from django.urls import path

from messaging.views import conversations, notifications, rooms

app_name = "messaging"

urlpatterns = [
    path("inbox/", conversations.inbox, name="inbox"),
    path("inbox/new/", conversations.group_new, name="group_new"),
    path("inbox/direct/<slug:handle>/", conversations.direct_open, name="direct_open"),
    path("inbox/<int:pk>/", conversations.conversation, name="conversation"),
    path("inbox/<int:pk>/events/", conversations.conversation_events, name="events"),
    path("inbox/<int:pk>/history/", conversations.conversation_history, name="history"),
    path("inbox/<int:pk>/read/", conversations.conversation_read, name="read"),
    path("inbox/<int:pk>/people/", conversations.conversation_people, name="people"),
    path("inbox/<int:pk>/messages/<int:sequence>/edit/", conversations.message_edit, name="message_edit"),
    path("inbox/<int:pk>/messages/<int:sequence>/delete/", conversations.message_delete, name="message_delete"),
    path("inbox/<int:pk>/messages/<int:sequence>/react/", conversations.message_react, name="message_react"),
    path("communities/<slug:slug>/rooms/", rooms.rooms, name="rooms"),
    path("communities/<slug:slug>/rooms/new/", rooms.room_new, name="room_new"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/read-all/", notifications.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", notifications.notification_read, name="notification_read"),
]
