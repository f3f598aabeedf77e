from django.urls import path

from communities.views import community, content, directory, joining, members

app_name = "communities"

# Every path takes at most one argument (the community's address or an invitation's id):
# which request, member, ban or feed item a form acts on travels in the form, checked against the selectors.
urlpatterns = [
    path("", directory.directory, name="directory"),
    path("new/", directory.community_create, name="create"),
    path("pending/", directory.pending, name="pending"),
    path("autocomplete/", directory.autocomplete, name="autocomplete"),
    path("invitations/", joining.invitations, name="invitations"),
    path("invitations/<int:pk>/answer/", joining.invitation_answer, name="invitation_answer"),
    path("<slug:slug>/", community.community_detail, name="detail"),
    path("<slug:slug>/settings/", community.community_settings, name="settings"),
    path("<slug:slug>/pin/", community.pin, name="pin"),
    path("<slug:slug>/items/removal/", content.item_removal, name="item_removal"),
    path("<slug:slug>/review/", directory.review, name="review"),
    path("<slug:slug>/join/", joining.join, name="join"),
    path("<slug:slug>/request/", joining.join_request_create, name="request"),
    path("<slug:slug>/request/withdraw/", joining.join_request_withdraw, name="withdraw"),
    path("<slug:slug>/requests/", joining.join_requests, name="requests"),
    path("<slug:slug>/invite/", joining.invite, name="invite"),
    path("<slug:slug>/leave/", joining.leave, name="leave"),
    path("<slug:slug>/members/", members.members, name="members"),
    path("<slug:slug>/members/role/", members.role_change, name="role"),
    path("<slug:slug>/members/transfer/", members.ownership_transfer, name="transfer"),
    path("<slug:slug>/members/remove/", members.member_remove, name="remove"),
    path("<slug:slug>/bans/lift/", members.ban_lift, name="lift_ban"),
]
