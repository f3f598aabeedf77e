from django.urls import path

from api.views import account, chat, communities, content, discussions, documents, notices, schema, search

app_name = "api"

urlpatterns = [
    path("schema/", schema.SchemaView.as_view(), name="schema"),
    path("reference/", schema.ReferenceView.as_view(url_name="api:schema"), name="reference"),
    path("v1/me/", account.MeView.as_view(), name="me"),
    path("v1/communities/", communities.CommunityListView.as_view(), name="communities"),
    path("v1/communities/<slug:slug>/", communities.CommunityDetailView.as_view(), name="community"),
    path("v1/communities/<slug:slug>/join/", communities.CommunityJoinView.as_view(), name="community_join"),
    path("v1/communities/<slug:slug>/leave/", communities.CommunityLeaveView.as_view(), name="community_leave"),
    path("v1/content/", content.ContentTypesView.as_view(), name="content_types"),
    path("v1/content/<str:type>/", content.ContentListView.as_view(), name="content_list"),
    path("v1/content/<str:type>/<int:pk>/", content.ContentDetailView.as_view(), name="content_detail"),
    path("v1/search/", search.SearchView.as_view(), name="search"),
    path("v1/threads/", discussions.ThreadCreateView.as_view(), name="threads"),
    path("v1/threads/<int:pk>/", discussions.ThreadEditView.as_view(), name="thread"),
    path("v1/threads/<int:pk>/replies/", discussions.ReplyCreateView.as_view(), name="thread_replies"),
    path("v1/replies/<int:pk>/", discussions.ReplyEditView.as_view(), name="reply"),
    path("v1/conversations/", chat.ConversationListView.as_view(), name="conversations"),
    path("v1/conversations/<int:pk>/messages/", chat.ConversationMessagesView.as_view(), name="messages"),
    path("v1/notifications/", notices.NotificationListView.as_view(), name="notifications"),
    path("v1/notifications/read-all/", notices.NotificationReadAllView.as_view(), name="notifications_read_all"),
    path("v1/notifications/<int:pk>/read/", notices.NotificationReadView.as_view(), name="notification_read"),
    path("v1/subscriptions/", notices.SubscriptionListView.as_view(), name="subscriptions"),
    path("v1/subscriptions/<int:pk>/", notices.SubscriptionEditView.as_view(), name="subscription"),
    path("v1/documents/<int:pk>/", documents.DocumentDetailView.as_view(), name="document"),
    path(
        "v1/documents/<int:pk>/versions/<int:number>/download/",
        documents.DocumentDownloadView.as_view(),
        name="document_download",
    ),
]
