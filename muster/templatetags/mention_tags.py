"""``{% mentions place %}…{% endmentions %}``: every ``@handle`` in the enclosed HTML that names a member the
reader may see (in the directory) who may also see ``place`` becomes a link to their profile, with class
``mention``, and ``mention-me`` when it is the reader. Unknown handles, and members the reader may not see
or who may not see the place, stay plain text.

Wrap a whole list (a thread page's posts): all its handles are looked up at once, in two queries
whatever the rows (the members by handle, then those who may see the place).
"""

from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from muster.mentions import link_mentions, mentioned_in_html
from verification import policy
from verification.models import Member

register = template.Library()


def mentionable(viewer: Any, place: Any, handles: set[str]) -> dict[str, int]:
    """Handle → id of the members with these handles whom the viewer may see and who may see ``place``."""
    if not handles or place is None or not isinstance(viewer, Member):
        return {}
    members = policy.filter_visible_members(viewer, Member.objects.filter(handle__in=sorted(handles)))
    members = policy.filter_members_who_may_view(place, members)
    return {handle: pk for handle, pk in members.values_list("handle", "pk") if handle}


def _profile_url(pk: int) -> str:
    return reverse("members:profile", args=[pk])


class MentionsNode(template.Node):
    def __init__(self, place: template.base.FilterExpression, nodelist: template.NodeList) -> None:
        self.place = place
        self.nodelist = nodelist

    def render(self, context: template.Context) -> SafeString:
        html = self.nodelist.render(context)
        request = context.get("request")
        viewer = getattr(request, "user", None)
        members = mentionable(viewer, self.place.resolve(context), mentioned_in_html(html))
        viewer_id = viewer.pk if isinstance(viewer, Member) else None
        return mark_safe(link_mentions(html, members, viewer_id=viewer_id, url=_profile_url))  # noqa: S308 - the enclosed HTML was already rendered safe; only links are added


@register.tag("mentions")
def do_mentions(parser: template.base.Parser, token: template.base.Token) -> MentionsNode:
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% mentions place %} takes the place the text is in.")
    nodelist = parser.parse(("endmentions",))
    parser.delete_first_token()
    return MentionsNode(parser.compile_filter(bits[1]), nodelist)
