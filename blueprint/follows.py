"""Members follow Blueprint entries (their publication and every published change), Congress ideas (the
editors' decisions on them), a Congress's barriers report (its publication, every section written or revised,
every comment) and pilot-community templates (their changes): all watching."""

from collections.abc import Collection

from django.db.models import Q

from blueprint.models import BarriersReport, Entry, Idea, PilotTemplate
from blueprint.services import entry_url, idea_url, report_url, template_url
from notices.follow import events_about, register_followable
from notices.models import Level
from verification import policy


def _entry_events(ids: Collection[int]) -> Q:
    return events_about(Entry, ids)


def _idea_events(ids: Collection[int]) -> Q:
    return events_about(Idea, ids)


def _report_events(ids: Collection[int]) -> Q:
    return events_about(BarriersReport, ids)


def _template_events(ids: Collection[int]) -> Q:
    return events_about(PilotTemplate, ids)


def register_followables() -> None:
    register_followable(
        Entry,
        label="Blueprint entry",
        title=lambda entry: entry.title,
        url=entry_url,
        visible=policy.filter_visible,
        events=_entry_events,
        display_related=("community",),
        default_level=Level.WATCHING,  # what happens to it after it appears is the point of following it
    )
    register_followable(
        Idea,
        label="Congress idea",
        title=lambda idea: idea.title,
        url=idea_url,
        visible=policy.filter_visible,
        events=_idea_events,
        display_related=("community",),
        default_level=Level.WATCHING,  # what happens to it after it appears is the point of following it
    )
    register_followable(
        BarriersReport,
        label="Congress barriers report",
        title=lambda report: report.title,
        url=report_url,
        visible=policy.filter_visible,
        events=_report_events,
        display_related=("community", "congress"),
        default_level=Level.WATCHING,  # sections revised and comments are what a follower wants to hear of
    )
    register_followable(
        PilotTemplate,
        label="pilot-community template",
        title=str,
        url=template_url,
        visible=policy.filter_visible,
        events=_template_events,
        display_related=("community",),
        default_level=Level.WATCHING,  # what happens to it after it appears is the point of following it
    )
