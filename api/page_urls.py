"""The API app's addresses on the site: the API itself under ``/api/`` and the member's token page.

Both live in the one ``api`` namespace (``api:me``, ``api:tokens``): Django reverses a namespace through the
first include that declares it, so two includes of ``api`` would hide one another's names.
"""

from django.urls import include, path

from api import urls as api_urls
from api.views import pages

app_name = "api"

token_pages = [
    path("", pages.tokens_page, name="tokens"),
    path("<int:pk>/revoke/", pages.token_revoke_page, name="token_revoke"),
]

urlpatterns = [
    path("api/", include(api_urls.urlpatterns)),
    path("account/tokens/", include(token_pages)),
]
