from django.urls import path

from api.views import account, communities, content, schema, search

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
]
