"""Every change to the Blueprint, one door: proposing entries and edits (``entries``), the editors' decisions,
validation, reverts and the public summary (``review``), typed links and attachments (``links``), the
Congress (``congress``, ``barriers``) and pilot-community templates and their pilots (``pilots``).

Keyword-only, typed and atomic; each checks the acting member through the access policy (and
``blueprint.access`` for the Blueprint's own roles) and raises ``ValidationError`` with a message when a
change cannot be made. Revision numbering, edits over a newer revision and reverts are
``muster.revisions``, shared with the wiki. Views of marked entries are audited by the views
(``policy.record_view``); publications and published edits land in the community's activity feed.
"""

from blueprint.facets import Facets, facets_from
from blueprint.services.barriers import (
    can_comment_report,
    can_tag_report,
    can_write_report,
    report_comment,
    report_publish,
    report_start,
    report_tags_set,
    report_url,
    section_add,
    section_edit,
)
from blueprint.services.congress import (
    IdeaDecision,
    can_tag_idea,
    congress_create,
    congress_url,
    delegate_appoint,
    delegate_remove,
    idea_endorse,
    idea_note_add,
    idea_review,
    idea_submit,
    idea_tags_set,
    idea_to_blueprint,
    idea_url,
)
from blueprint.services.entries import (
    entry_edit_propose,
    entry_propose,
    entry_resubmit,
    entry_revise,
    entry_url,
    relation_from,
)
from blueprint.services.links import attachment_add, attachment_remove, link_create, link_remove
from blueprint.services.pilots import (
    TemplateContent,
    pilot_role_take,
    pilot_start,
    pilot_task_set,
    pilot_url,
    template_content,
    template_create,
    template_edit,
    template_url,
)
from blueprint.services.review import (
    Decision,
    default_review_by,
    edit_proposal_review,
    entry_remark,
    entry_revert,
    entry_review,
    entry_set_public,
    entry_validate,
)

__all__ = [
    "Decision",
    "Facets",
    "IdeaDecision",
    "TemplateContent",
    "attachment_add",
    "attachment_remove",
    "can_comment_report",
    "can_tag_idea",
    "can_tag_report",
    "can_write_report",
    "congress_create",
    "congress_url",
    "default_review_by",
    "delegate_appoint",
    "delegate_remove",
    "edit_proposal_review",
    "entry_edit_propose",
    "entry_propose",
    "entry_remark",
    "entry_resubmit",
    "entry_revert",
    "entry_review",
    "entry_revise",
    "entry_set_public",
    "entry_url",
    "entry_validate",
    "facets_from",
    "idea_endorse",
    "idea_note_add",
    "idea_review",
    "idea_submit",
    "idea_tags_set",
    "idea_to_blueprint",
    "idea_url",
    "link_create",
    "link_remove",
    "pilot_role_take",
    "pilot_start",
    "pilot_task_set",
    "pilot_url",
    "relation_from",
    "report_comment",
    "report_publish",
    "report_start",
    "report_tags_set",
    "report_url",
    "section_add",
    "section_edit",
    "template_content",
    "template_create",
    "template_edit",
    "template_url",
]
