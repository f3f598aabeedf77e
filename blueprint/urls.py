from django.urls import path

from blueprint.models import Kind
from blueprint.views import entries, history, indexes, links, review

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
