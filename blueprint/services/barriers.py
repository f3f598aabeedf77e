"""The barriers report: after the Congress opens, its delegates and alternates write, together, the report on
barriers to preparedness and the legislation that would remove them; sections keep revisions
(``muster.revisions``: edits over a newer revision are merged or refused as a conflict), members comment,
and the report is published to members.

A draft is restricted (``is_restricted``) to the edition's delegates and alternates and the Blueprint
editors, through the access policy's per-item grants: naming or removing a delegate grants or revokes it
(``report_grant_delegate``). Published, it is an ordinary item of its community under its marking.

The report is followable (``blueprint.follows``; whoever starts it follows it): its publication, every section
written or revised and every comment go to its community's feed, which followers' e-mail updates read through
the access rule. Its writers and the editors tag it from its page.
"""

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from blueprint.access import EDITORS_GROUP, is_blueprint_editor, is_congress_delegate
from blueprint.models import (
    BODY_MAX,
    NOTE_MAX,
    TITLE_MAX,
    BarriersReport,
    Congress,
    ReportComment,
    ReportSection,
    ReportStatus,
    SectionKind,
    SectionRevision,
)
from blueprint.services.entries import tag_names
from communities.models import ActivityEvent, Community
from communities.services import activity_record
from muster.markdown import render_markdown
from muster.revisions import rebase_edit, revision_add
from notices.follow import follow_automatically
from notices.models import Level
from verification import policy
from verification.models import Marking, Member


def report_url(report: BarriersReport) -> str:
    return reverse("blueprint:report", kwargs={"year": report.congress.year})


def can_write_report(user: policy.AnyUser | None, report: BarriersReport) -> bool:
    """Delegates and alternates of its edition who may see it write it (before and after publication)."""
    return (
        report.deleted_at is None and is_congress_delegate(user, report.congress_id) and policy.can_view(user, report)
    )


def can_comment_report(user: policy.AnyUser | None, report: BarriersReport) -> bool:
    """Everyone who may see the report comments on it (delegates and editors on a draft, members once published)."""
    return report.deleted_at is None and policy.can_view(user, report)


def _check_title(title: str) -> None:
    if not title.strip():
        raise ValidationError({"title": "Give it a heading."})
    if len(title) > TITLE_MAX:
        raise ValidationError({"title": f"Keep the heading under {TITLE_MAX} characters."})


@transaction.atomic
def report_start(
    *, congress: Congress, author: Member, community: Community, marking: Marking, title: str
) -> BarriersReport:
    """A delegate starts the edition's report once the Congress has opened (one report per edition)."""
    _check_title(title)
    if not is_congress_delegate(author, congress.pk):
        raise PermissionDenied("Only delegates and alternates of this Congress write its report.")
    if timezone.localdate() < congress.starts_on:
        raise ValidationError("The barriers report is written once the Congress has opened.")
    if BarriersReport.objects.filter(congress=congress).exists():
        raise ValidationError("This Congress already has its report: write in it.")
    policy.check_post_permission(author, community, marking)
    if marking.rank < community.marking.rank:
        raise ValidationError({"marking": f"Items in {community.name} are marked at least {community.marking}."})
    report = BarriersReport.objects.create(
        congress=congress,
        community=community,
        author=author,
        marking=marking,
        title=title.strip(),
        is_restricted=True,
        status=ReportStatus.DRAFT,
    )
    for delegate in congress.delegates.select_related("member"):
        policy.grant_item_access(report, delegate.member)
    policy.grant_item_access(report, Group.objects.get(name=EDITORS_GROUP))
    follow_automatically(member=author, target=report, level=Level.WATCHING)
    return report


def report_grant_delegate(*, congress: Congress, member: Member, granted: bool) -> None:
    """Keep a draft report's readers in step with the edition's delegates (called by the delegate services)."""
    report = BarriersReport.objects.filter(congress=congress, status=ReportStatus.DRAFT).first()
    if report is None:
        return
    if granted:
        policy.grant_item_access(report, member)
    else:
        policy.revoke_item_access(report, member)


def _locked_report(report: BarriersReport) -> BarriersReport:
    return (
        BarriersReport.objects.select_for_update().select_related("congress", "community", "marking").get(pk=report.pk)
    )


def _check_body(body: str) -> None:
    if len(body) > BODY_MAX:
        raise ValidationError({"body": f"Keep the text under {BODY_MAX:,} characters (this is {len(body):,})."})


@transaction.atomic
def section_add(
    *, report: BarriersReport, author: Member, title: str, body: str, kind: str = SectionKind.BARRIER
) -> ReportSection:
    """A new section (its text is revision 1)."""
    _check_title(title)
    _check_body(body)
    if kind not in SectionKind.values:
        raise ValidationError({"kind": "Choose what the section is."})
    report = _locked_report(report)
    if not can_write_report(author, report):
        raise PermissionDenied("Only delegates and alternates of this Congress write its report.")
    section = ReportSection(
        report=report, kind=kind, title=title.strip(), body=body, position=report.sections.count() + 1
    )
    _save_revision(section, author=author, comment="Wrote the section")
    return section


def _save_revision(section: ReportSection, *, author: Member, comment: str) -> SectionRevision:
    section.body_html = render_markdown(section.body) if section.body.strip() else ""
    revision = revision_add(
        section,
        SectionRevision,
        item_field="section",
        author=author,
        comment=comment,
        title=section.title,
        body=section.body,
    )
    _copy_sections_for_search(section.report)
    # Followers of the report hear of every section written or revised (the feed keeps to who may see it).
    activity_record(
        community=section.report.community, actor=author, verb=ActivityEvent.Verb.EDITED, target=section.report
    )
    return revision


def _copy_sections_for_search(report: BarriersReport) -> None:
    """The report's words as search reads them: every section's heading and text (saving the report re-indexes
    it)."""
    report.sections_html = "".join(
        f"<h2>{escape(section.title)}</h2>\n{section.body_html}\n"
        for section in report.sections.order_by("position", "pk")
    )
    report.save(update_fields=["sections_html", "updated_at"])


@transaction.atomic
def section_edit(
    *, section: ReportSection, author: Member, title: str, body: str, base_number: int, comment: str = ""
) -> SectionRevision:
    """A delegate changes a section made on top of revision ``base_number``: merged with what others saved
    since, or ``EditConflictError`` (nothing saved)."""
    _check_title(title)
    _check_body(body)
    report = _locked_report(section.report)
    section = ReportSection.objects.select_for_update().get(pk=section.pk)
    if not can_write_report(author, report):
        raise PermissionDenied("Only delegates and alternates of this Congress write its report.")
    current = section.revisions.get(number=section.revision_number)
    body, kept = rebase_edit(
        revisions=section.revisions.all(),
        current=current,
        base_number=base_number,
        body=body,
        fields={"title": title.strip()},
    )
    if (kept["title"], body) == (section.title, section.body):
        raise ValidationError("Nothing changed.")
    section.title, section.body = kept["title"], body
    return _save_revision(section, author=author, comment=comment or "Edited the section")


@transaction.atomic
def report_comment(
    *, report: BarriersReport, author: Member, text: str, section: ReportSection | None = None
) -> ReportComment:
    if not text.strip():
        raise ValidationError({"text": "Write the comment."})
    if len(text) > NOTE_MAX:
        raise ValidationError({"text": f"Keep the comment under {NOTE_MAX:,} characters."})
    if not can_comment_report(author, report):
        raise PermissionDenied("You may not comment on this report.")
    if section is not None and section.report_id != report.pk:
        raise ValidationError({"section": "That section belongs to another report."})
    comment = ReportComment.objects.create(report=report, section=section, author=author, text=text.strip())
    activity_record(community=report.community, actor=author, verb=ActivityEvent.Verb.REPLIED, target=report)
    return comment


def can_tag_report(user: policy.AnyUser | None, report: BarriersReport) -> bool:
    """Its writers, and the Blueprint editors who may see it, tag the report."""
    return can_write_report(user, report) or (
        report.deleted_at is None and is_blueprint_editor(user) and policy.can_view(user, report)
    )


@transaction.atomic
def report_tags_set(*, report: BarriersReport, actor: Member, tags: Iterable[str]) -> BarriersReport:
    """The report's tags, as its writers (or an editor) set them from its page (search and the tag pages
    read them through the registry)."""
    report = _locked_report(report)
    if not can_tag_report(actor, report):
        raise PermissionDenied("Only the edition's delegates and the Blueprint editors tag the report.")
    report.tags.set(tag_names(tags))
    return report


@transaction.atomic
def report_publish(*, report: BarriersReport, actor: Member) -> BarriersReport:
    """A delegate of the edition or a Blueprint editor publishes the report to members (of its community,
    cleared for its marking)."""
    report = _locked_report(report)
    if not (can_write_report(actor, report) or (is_blueprint_editor(actor) and policy.can_view(actor, report))):
        raise PermissionDenied("Only the edition's delegates and the Blueprint editors publish the report.")
    if report.status == ReportStatus.PUBLISHED:
        raise ValidationError("The report is already published.")
    if not report.sections.exists():
        raise ValidationError("Write at least one section before publishing the report.")
    report.status, report.is_restricted, report.published_at = ReportStatus.PUBLISHED, False, timezone.now()
    report.save()
    policy.revoke_all_item_access(report)
    activity_record(community=report.community, actor=actor, verb=ActivityEvent.Verb.PUBLISHED, target=report)
    return report
