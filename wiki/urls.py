from django.urls import path

from wiki.views import pages

app_name = "wiki"

community = "communities/<slug:slug>/wiki/"

urlpatterns = [
    path(community, pages.wiki_index, name="index"),
    path(f"{community}new/", pages.page_create, name="create"),
    path(f"{community}<slug:page>/", pages.page_detail, name="page"),
    path(f"{community}<slug:page>/edit/", pages.page_edit, name="edit"),
    path(f"{community}<slug:page>/history/", pages.page_history, name="history"),
    path(f"{community}<slug:page>/compare/", pages.page_compare, name="compare"),
    path(f"{community}<slug:page>/revert/", pages.page_revert, name="revert"),
    path(f"{community}<slug:page>/settings/", pages.page_settings, name="settings"),
    path(f"{community}<slug:page>/export.md", pages.page_export_markdown, name="export_markdown"),
    path(f"{community}<slug:page>/print/", pages.page_print, name="print"),
]
