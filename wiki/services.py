"""Every change to wiki pages. Each save is a revision; a save on a stale base
never overwrites silently: it merges, or hands the conflict back to the editor."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from communities.models import ActivityEvent, Community
from communities.services import activity_record
from muster.revisions import EditConflictError as EditConflictError  # raised by page_save; callers catch it here
from muster.revisions import check_revert, rebase_edit, revert_comment, revision_add
from notices.follow import follow_automatically
from notices.models import Level
from verification import policy
from verification.models import Marking, Member
from wiki.access import can_edit_wiki_page
from wiki.models import BODY_MAX, TITLE_MAX, Revision, WikiPage
from wiki.rendering import page_slug, render_wiki


def page_url(page: WikiPage) -> str:
    return reverse("wiki:page", kwargs={"slug": page.community.slug, "page": page.slug})


def _check(title: str, body: str) -> None:
    errors = {}
    if not title.strip():
        errors["title"] = "Give the page a title."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Keep the title under {TITLE_MAX} characters."
    if len(body) > BODY_MAX:
        errors["body"] = f"Keep the page under {BODY_MAX:,} characters (this is {len(body):,})."
    if errors:
        raise ValidationError(errors)


def _render(page: WikiPage) -> None:
    slugs = WikiPage.objects.filter(community=page.community).values_list("slug", flat=True)
    page.body_html, page.toc_html = render_wiki(page.body, community_slug=page.community.slug, existing_slugs=slugs)


def _add_revision(page: WikiPage, *, author: Member, comment: str, reverted_from: Revision | None = None) -> Revision:
    _render(page)
    return revision_add(
        page,
        Revision,
        item_field="page",
        author=author,
        comment=comment,
        reverted_from=reverted_from,
        title=page.title,
        body=page.body,
    )


def _rerender_linking_pages(community: Community, title: str) -> None:
    """Pages linking to a page that now exists stop showing the link as missing."""
    for page in WikiPage.objects.filter(community=community, body__contains=f"[[{title}"):
        _render(page)
        WikiPage.objects.filter(pk=page.pk).update(body_html=page.body_html, toc_html=page.toc_html)


@transaction.atomic
def page_create(
    *,
    author: Member,
    community: Community,
    title: str,
    body: str,
    marking: Marking,
    parent: WikiPage | None = None,
    edit_policy: str = WikiPage.EditPolicy.MEMBERS,
    comment: str = "",
    tags: Iterable[str] = (),
) -> WikiPage:
    _check(title, body)
    policy.check_post_permission(author, community, marking)
    slug = page_slug(title)
    if WikiPage.objects.filter(community=community, slug=slug).exists():
        raise ValidationError({"title": "This wiki already has a page with that title."})
    if parent is not None and parent.community_id != community.pk:
        raise ValidationError({"parent": "Choose a parent page of this wiki."})
    if edit_policy == WikiPage.EditPolicy.MODERATORS and not policy.can_moderate(author, community):
        raise ValidationError({"edit_policy": "Only moderators can limit editing to moderators."})
    page = WikiPage(
        community=community,
        author=author,
        marking=marking,
        title=title.strip(),
        slug=slug,
        parent=parent,
        edit_policy=edit_policy,
        body=body,
    )
    _add_revision(page, author=author, comment=comment or "Created the page")
    page.tags.set(list(tags))
    follow_automatically(member=author, target=page, level=Level.WATCHING)
    _rerender_linking_pages(community, page.title)
    activity_record(community=community, actor=author, verb=ActivityEvent.Verb.ADDED, target=page)
    return page


@transaction.atomic
def page_save(
    *, page: WikiPage, editor: Member, title: str, body: str, base_number: int, comment: str = ""
) -> Revision:
    """Save an edit made on top of revision ``base_number``.

    If others saved since, their changes and the editor's are merged line by
    line; when they overlap, ``EditConflictError`` carries the current revision
    and the merge with conflict markers, and nothing is saved.
    """
    _check(title, body)
    page = WikiPage.objects.select_for_update().select_related("community").get(pk=page.pk)
    if not can_edit_wiki_page(editor, page):
        raise PermissionDenied("You may not edit this page.")
    current = page.revisions.get(number=page.revision_number)
    body, kept = rebase_edit(
        revisions=page.revisions.all(),
        current=current,
        base_number=base_number,
        body=body,
        fields={"title": title.strip()},
    )
    title = kept["title"]
    if title.strip() == page.title and body == page.body:
        raise ValidationError("Nothing changed.")
    page.title = title.strip()
    page.body = body
    revision = _add_revision(page, author=editor, comment=comment)
    activity_record(community=page.community, actor=editor, verb=ActivityEvent.Verb.EDITED, target=page)
    return revision


@transaction.atomic
def page_revert(*, page: WikiPage, editor: Member, revision: Revision) -> Revision:
    """Bring back an earlier revision's text as a new revision (history is never rewritten)."""
    page = WikiPage.objects.select_for_update().select_related("community").get(pk=page.pk)
    if not can_edit_wiki_page(editor, page):
        raise PermissionDenied("You may not edit this page.")
    check_revert(page, revision, item_field="page")
    page.title, page.body = revision.title, revision.body
    new = _add_revision(page, author=editor, comment=revert_comment(revision), reverted_from=revision)
    activity_record(community=page.community, actor=editor, verb=ActivityEvent.Verb.EDITED, target=page)
    return new


@transaction.atomic
def page_settings(
    *, page: WikiPage, actor: Member, marking: Marking, edit_policy: str, parent: WikiPage | None
) -> WikiPage:
    """Moderators set a page's marking, who may edit it and where it sits in the tree."""
    if not policy.can_moderate_item(actor, page):
        raise PermissionDenied("Only moderators change a page's settings.")
    if marking.pk not in policy.member_access(actor).visible_marking_ids:
        raise ValidationError({"marking": "You are not cleared for that marking."})
    ancestor = parent
    while ancestor is not None:
        if ancestor.pk == page.pk:
            raise ValidationError({"parent": "A page cannot sit under itself."})
        ancestor = ancestor.parent
    page.marking, page.edit_policy, page.parent = marking, edit_policy, parent
    page.save(update_fields=["marking", "edit_policy", "parent", "updated_at"])
    return page
