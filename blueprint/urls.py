from django.urls import path

from blueprint.models import Kind
from blueprint.views import barriers, congress, entries, history, indexes, links, review

app_name = "blueprint"

entry = "entries/<slug:slug>/"

urlpatterns = [
    path("", indexes.index, name="index"),
    path("solutions/", indexes.index, {"kind": Kind.SOLUTION}, name="solutions"),
    path("tools/", indexes.index, {"kind": Kind.TOOL}, name="tools"),
    path("reports/", indexes.index, {"kind": Kind.REPORT}, name="reports"),
    path("cases/", indexes.index, {"kind": Kind.CASE}, name="cases"),
    path("gaps/", indexes.gaps, name="gaps"),
    path("new/<slug:kind>/", entries.entry_propose, name="propose"),
    path("review/", review.review_queue, name="review"),
    path("edits/<int:pk>/", review.edit_proposal, name="edit_proposal"),
    path("congress/", congress.congress_list, name="congresses"),
    path("congress/new/", congress.congress_create, name="congress_create"),
    path("congress/<int:year>/", congress.congress_detail, name="congress"),
    path("congress/<int:year>/delegates/", congress.delegate_appoint, name="delegate_appoint"),
    path("congress/<int:year>/delegates/<int:pk>/remove/", congress.delegate_remove, name="delegate_remove"),
    path("congress/<int:year>/review/", congress.congress_review, name="congress_review"),
    path("congress/<int:year>/ideas/new/", congress.idea_submit, name="idea_submit"),
    path("congress/<int:year>/report/", barriers.report_detail, name="report"),
    path("congress/<int:year>/report/start/", barriers.report_start, name="report_start"),
    path("congress/<int:year>/report/sections/", barriers.section_add, name="section_add"),
    path("congress/<int:year>/report/sections/<int:pk>/", barriers.section_edit, name="section_edit"),
    path("congress/<int:year>/report/comments/", barriers.report_comment, name="report_comment"),
    path("congress/<int:year>/report/publish/", barriers.report_publish, name="report_publish"),
    path("congress/<int:year>/report/pdf/", barriers.report_pdf, name="report_pdf"),
    path("ideas/<int:pk>/", congress.idea_detail, name="idea"),
    path("ideas/<int:pk>/endorse/", congress.idea_endorse, name="idea_endorse"),
    path("ideas/<int:pk>/review/", congress.idea_review, name="idea_review"),
    path("ideas/<int:pk>/notes/", congress.idea_note, name="idea_note"),
    path("ideas/<int:pk>/blueprint/", congress.idea_to_blueprint, name="idea_to_blueprint"),
    path(entry, entries.entry_detail, name="entry"),
    path(f"{entry}edit/", entries.entry_edit, name="edit"),
    path(f"{entry}resubmit/", entries.entry_resubmit, name="resubmit"),
    path(f"{entry}print/", entries.entry_print, name="print"),
    path(f"{entry}history/", history.entry_history, name="history"),
    path(f"{entry}compare/", history.entry_compare, name="compare"),
    path(f"{entry}revert/", history.entry_revert, name="revert"),
    path(f"{entry}review/", review.entry_review, name="review_entry"),
    path(f"{entry}validate/", review.entry_validate, name="validate"),
    path(f"{entry}public/", review.entry_public, name="public"),
    path(f"{entry}links/", links.link_add, name="link_add"),
    path(f"{entry}links/remove/", links.link_remove, name="link_remove"),
    path(f"{entry}attachments/", links.attachment_add, name="attachment_add"),
    path(f"{entry}attachments/remove/", links.attachment_remove, name="attachment_remove"),
]
