from django.urls import path

from library.views import bookmarks, documents

app_name = "library"

community = "communities/<slug:slug>/"

urlpatterns = [
    path(f"{community}library/", documents.library_index, name="index"),
    path(f"{community}library/upload/", documents.document_upload, name="upload"),
    path(f"{community}library/<int:pk>/", documents.document_detail, name="document"),
    path(f"{community}library/<int:pk>/versions/new/", documents.version_upload, name="version_upload"),
    path(f"{community}library/<int:pk>/access/", documents.document_access, name="access"),
    path(f"{community}library/<int:pk>/download/<int:number>/", documents.version_download, name="download"),
    path(f"{community}links/", bookmarks.bookmark_list, name="bookmarks"),
    path(f"{community}links/new/", bookmarks.bookmark_share, name="bookmark_share"),
]
