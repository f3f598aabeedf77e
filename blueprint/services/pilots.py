"""Pilot-community templates and the pilots started from them.

Editors write a template (the Blueprint solutions and tools it puts to work, a checklist of steps, the roles
to fill, the wiki pages to start from) and customise it for a locale (a copy, ``based_on`` the original, with
the place's name and its own checklist and pages). Any verified member who may see a template starts a pilot
from it: a new community they own (``communities.services.community_create``), whose wiki pages and board
the wiki and discussions make on ``communities.signals.starter_content_requested`` (this feature imports
neither), with the checklist copied as the pilot's tasks and the roles as roles to fill. Members of the pilot
tick its tasks; the template's page shows each pilot's progress to whoever may see the pilot's community.

Keyword-only, typed and atomic, like every Blueprint service.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from blueprint.access import check_review_entries_permission
from blueprint.models import (
    BOARD_NAME_MAX,
    BODY_MAX,
    DUTY_MAX,
    LOCALE_MAX,
    ROLE_MAX,
    STEP_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    Entry,
    Kind,
    Pilot,
    PilotRole,
    PilotTask,
    PilotTemplate,
    Status,
    TemplatePage,
    TemplateRole,
    TemplateStep,
)
from communities.models import ActivityEvent, Community
from communities.services import activity_record, community_create
from communities.signals import StarterPage, starter_content_requested
from notices.follow import follow_automatically
from notices.models import Level
from verification import policy
from verification.models import Marking, Member

MAX_STEPS = 60
MAX_ROLES = 20
MAX_PAGES = 10
# What a template bundles: the solutions it puts to work and the tools that implement them.
BUNDLED_KINDS = (Kind.SOLUTION, Kind.TOOL)
PILOT_HOME_TITLE = "About this pilot"
EMPTY_CHECKLIST = "A template needs a checklist: write at least one step, one a line."


def template_url(template: PilotTemplate) -> str:
    return reverse("blueprint:template", kwargs={"slug": template.slug})


def pilot_url(pilot: Pilot) -> str:
    return reverse("blueprint:pilot", kwargs={"pk": pilot.pk})


@dataclass(frozen=True)
class TemplateContent:
    """What a template holds besides where it lives: the same for writing, editing and customising one."""

    title: str
    summary: str
    checklist: Sequence[str]
    locale: str = ""
    roles: Sequence[tuple[str, str]] = ()  # (name, what the role does)
    pages: Sequence[StarterPage] = ()
    entries: Sequence[Entry] = ()
    board_name: str = "Pilot planning"


def _check_content(editor: Member, content: TemplateContent, marking: Marking) -> None:
    errors: dict[str, str] = {}
    if not content.title.strip():
        errors["title"] = "Give the template a title."
    elif len(content.title) > TITLE_MAX:
        errors["title"] = f"Keep the title under {TITLE_MAX} characters."
    if not content.summary.strip():
        errors["summary"] = "Say in a few sentences what a pilot of this template does."
    elif len(content.summary) > SUMMARY_MAX:
        errors["summary"] = f"Keep the summary under {SUMMARY_MAX:,} characters (this is {len(content.summary):,})."
    if len(content.locale) > LOCALE_MAX:
        errors["locale"] = f"Keep the locale under {LOCALE_MAX} characters."
    steps = [step for step in content.checklist if step.strip()]
    if not steps:
        errors["checklist"] = EMPTY_CHECKLIST
    elif len(steps) > MAX_STEPS:
        errors["checklist"] = f"Keep the checklist to {MAX_STEPS} steps (this has {len(steps)})."
    elif any(len(step.strip()) > STEP_MAX for step in steps):
        errors["checklist"] = f"Keep each step under {STEP_MAX} characters."
    if len(content.roles) > MAX_ROLES:
        errors["roles"] = f"Keep to {MAX_ROLES} roles."
    elif any(not name.strip() or len(name) > ROLE_MAX or len(duty) > DUTY_MAX for name, duty in content.roles):
        errors["roles"] = f"Name each role (under {ROLE_MAX} characters) and say what it does in under {DUTY_MAX}."
    if len(content.pages) > MAX_PAGES:
        errors["pages"] = f"Keep to {MAX_PAGES} wiki pages."
    elif any(not page.title.strip() or len(page.title) > TITLE_MAX for page in content.pages):
        errors["pages"] = f"Give every wiki page a title under {TITLE_MAX} characters."
    elif any(len(page.body) > BODY_MAX for page in content.pages):
        errors["pages"] = f"Keep each wiki page under {BODY_MAX:,} characters."
    elif len({_page_address(page.title) for page in content.pages} | {_page_address(PILOT_HOME_TITLE)}) <= len(
        content.pages
    ):
        errors["pages"] = f"Give each wiki page a title of its own (“{PILOT_HOME_TITLE}” is every pilot's first page)."
    if not slugify(content.board_name):
        errors["board_name"] = "Name the board the pilot plans on (with letters or numbers)."
    elif len(content.board_name) > BOARD_NAME_MAX:
        errors["board_name"] = f"Keep the board's name under {BOARD_NAME_MAX} characters."
    for entry in content.entries:
        if entry.kind not in BUNDLED_KINDS or entry.status != Status.PUBLISHED or not policy.can_view(editor, entry):
            errors["entries"] = "Choose published solutions and tools you can see."
            break
        if policy.effective_marking(entry).rank > marking.rank:
            errors["entries"] = (
                f"“{entry.title}” is marked {policy.effective_marking(entry)}: a template marked {marking} "
                "cannot bundle it."
            )
            break
    if errors:
        raise ValidationError(errors)


def _page_address(title: str) -> str:
    """The address the wiki gives a page of this title (``wiki.rendering.page_slug``): two pages of a pilot
    cannot share one."""
    return slugify(title)[:120] or "page"


def _unique_slug(title: str, locale: str) -> str:
    base = slugify(f"{title} {locale}")[:110] or "template"
    slug, n = base, 1
    while PilotTemplate.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _write_parts(template: PilotTemplate, content: TemplateContent) -> None:
    """The template's checklist, roles, pages and entries, replacing what it held (pilots keep their copies)."""
    template.steps.all().delete()
    template.roles.all().delete()
    template.pages.all().delete()
    steps = [step.strip() for step in content.checklist if step.strip()]
    TemplateStep.objects.bulk_create(
        TemplateStep(template=template, position=n, text=text) for n, text in enumerate(steps, 1)
    )
    TemplateRole.objects.bulk_create(
        TemplateRole(template=template, position=n, name=name.strip(), duty=duty.strip())
        for n, (name, duty) in enumerate(content.roles, 1)
    )
    TemplatePage.objects.bulk_create(
        TemplatePage(template=template, position=n, title=page.title.strip(), body=page.body)
        for n, page in enumerate(content.pages, 1)
    )
    template.entries.set(content.entries)


@transaction.atomic
def template_create(
    *,
    editor: Member,
    community: Community,
    marking: Marking,
    content: TemplateContent,
    based_on: PilotTemplate | None = None,
    tags: Iterable[str] = (),
) -> PilotTemplate:
    """An editor writes a template (or, with ``based_on``, customises one for a locale) in a community they
    may post in, under a marking they are cleared for; it is in the community's feed."""
    check_review_entries_permission(editor)
    policy.check_post_permission(editor, community, marking)
    if marking.rank < community.marking.rank:
        raise ValidationError({"marking": f"Items in {community.name} are marked at least {community.marking}."})
    _check_content(editor, content, marking)
    if based_on is not None:
        if not content.locale.strip():
            raise ValidationError({"locale": "Say which place this variant is customised for."})
        if based_on.deleted_at is not None or not policy.can_view(editor, based_on):
            raise PermissionDenied("You may not customise that template.")
        if marking.rank < policy.effective_marking(based_on).rank:
            raise ValidationError({"marking": f"The template it is based on is marked {based_on.marking}."})
    template = PilotTemplate.objects.create(
        community=community,
        author=editor,
        marking=marking,
        title=content.title.strip(),
        slug=_unique_slug(content.title, content.locale),
        summary=content.summary.strip(),
        locale=content.locale.strip(),
        based_on=based_on,
        board_name=content.board_name.strip(),
        published_at=timezone.now(),
    )
    _write_parts(template, content)
    if tags:
        template.tags.set(list(tags))
    follow_automatically(member=editor, target=template, level=Level.WATCHING)
    activity_record(community=community, actor=editor, verb=ActivityEvent.Verb.PUBLISHED, target=template)
    return template


@transaction.atomic
def template_edit(*, template: PilotTemplate, editor: Member, content: TemplateContent) -> PilotTemplate:
    """An editor changes a template; pilots already started keep the checklist they were given."""
    check_review_entries_permission(editor)
    template = PilotTemplate.objects.select_for_update().select_related("community", "marking").get(pk=template.pk)
    if template.deleted_at is not None or not policy.can_view(editor, template):
        raise PermissionDenied("You may not change this template.")
    _check_content(editor, content, policy.effective_marking(template))
    if template.based_on_id is not None and not content.locale.strip():
        raise ValidationError({"locale": "Say which place this variant is customised for."})
    template.title, template.summary = content.title.strip(), content.summary.strip()
    template.locale, template.board_name = content.locale.strip(), content.board_name.strip()
    template.save()
    _write_parts(template, content)
    activity_record(community=template.community, actor=editor, verb=ActivityEvent.Verb.EDITED, target=template)
    return template


def template_content(template: PilotTemplate) -> TemplateContent:
    """What a template holds, to fill the form that edits it or customises it for a locale."""
    return TemplateContent(
        title=template.title,
        summary=template.summary,
        locale=template.locale,
        checklist=[step.text for step in template.steps.all()],
        roles=[(role.name, role.duty) for role in template.roles.all()],
        pages=[StarterPage(page.title, page.body) for page in template.pages.all()],
        entries=list(template.entries.all()),
        board_name=template.board_name,
    )


# --- Pilots -----------------------------------------------------------------------------------------


def _link_text(template: PilotTemplate) -> str:
    return str(template).replace("[", "(").replace("]", ")")


def _pilot_home(template: PilotTemplate, pilot_link: str) -> StarterPage:
    """The pilot's first wiki page: where it comes from and where its checklist is."""
    return StarterPage(
        PILOT_HOME_TITLE,
        f"This community is a local pilot of the National Blueprint template "
        f"[{_link_text(template)}]({template_url(template)}).\n\n"
        f"- [The pilot's checklist and roles]({pilot_link}): tick the steps as they are done.\n"
        f"- [The template]({template_url(template)}): the solutions and tools it puts to work.\n",
    )


@transaction.atomic
def pilot_start(
    *,
    template: PilotTemplate,
    member: Member,
    name: str,
    slug: str,
    marking: Marking,
    visibility: str = Community.Visibility.PRIVATE,
    join_policy: str = Community.JoinPolicy.REQUEST,
    description: str = "",
) -> Pilot:
    """A member who may see the template starts a pilot: a new community they own, marked at least as the
    template is, with the template's wiki pages, its board and the checklist as tasks."""
    template = PilotTemplate.objects.select_related("community", "marking").get(pk=template.pk)
    if template.deleted_at is not None or not policy.can_view(member, template):
        raise PermissionDenied("You may not see this template.")
    floor = policy.effective_marking(template)
    if marking.rank < floor.rank:
        raise ValidationError({"marking": f"The template is marked {floor}: the pilot's community must be too."})
    if not name.strip():
        raise ValidationError({"name": "Name the pilot's community."})
    slug = slug or slugify(name)[:60]
    if not slug:
        raise ValidationError({"slug": "Give the community an address: letters, numbers and hyphens."})
    community = community_create(
        creator=member,
        name=name.strip(),
        slug=slug,
        marking=marking,
        description=description.strip(),
        visibility=visibility,
        join_policy=join_policy,
    )
    pilot = Pilot.objects.create(template=template, community=community, started_by=member)
    PilotTask.objects.bulk_create(
        PilotTask(pilot=pilot, position=step.position, text=step.text) for step in template.steps.all()
    )
    PilotRole.objects.bulk_create(
        PilotRole(pilot=pilot, position=role.position, name=role.name, duty=role.duty) for role in template.roles.all()
    )
    owner = Member.objects.get(pk=member.pk)  # fresh: the standing that holds the new community's roles
    pages = [_pilot_home(template, pilot_url(pilot))]
    pages += [StarterPage(page.title, page.body) for page in template.pages.all()]
    starter_content_requested.send(
        sender=Pilot, community=community, owner=owner, pages=pages, board_name=template.board_name
    )
    return pilot


def _check_pilot_member(member: Member, pilot: Pilot) -> None:
    if not policy.is_community_member(member, pilot.community):
        raise PermissionDenied("Only members of the pilot's community work its checklist.")


@transaction.atomic
def pilot_task_set(*, task: PilotTask, member: Member, done: bool) -> PilotTask:
    """A member of the pilot ticks a step done (who and when are kept) or opens it again."""
    task = PilotTask.objects.select_for_update().select_related("pilot__community").get(pk=task.pk)
    _check_pilot_member(member, task.pilot)
    if done == (task.done_at is not None):
        raise ValidationError("This step is already done." if done else "This step is not done yet.")
    task.done_at, task.done_by = (timezone.now(), member) if done else (None, None)
    task.save(update_fields=["done_at", "done_by"])
    return task


@transaction.atomic
def pilot_role_take(*, role: PilotRole, member: Member, take: bool = True) -> PilotRole:
    """A member of the pilot takes a role that is free, or gives up their own."""
    role = PilotRole.objects.select_for_update().select_related("pilot__community").get(pk=role.pk)
    _check_pilot_member(member, role.pilot)
    if take:
        if role.member_id is not None:
            raise ValidationError(f"Someone already fills the role of {role.name}.")
        role.member = member
    else:
        if role.member_id != member.pk:
            raise ValidationError("You can only give up a role you fill.")
        role.member = None
    role.save(update_fields=["member"])
    return role
