from django.contrib import admin
from django.urls import include, path

from muster import views
from verification.views.markings import marking_styles

urlpatterns = [
    path("", views.landing, name="landing"),
    path("about/", views.about, name="about"),
    path("help/", views.help_page, name="help"),
    path("healthz", views.healthz, name="healthz"),
    path("markings.css", marking_styles, name="marking_styles"),
    path("home/", views.home, name="home"),
    path("preview/", views.preview, name="preview"),
    path("account/", views.account, name="account"),
    path("account/sign-out-others/", views.account_sign_out_others, name="sign_out_others"),
    path("accounts/", include("allauth.urls")),
    path("verification/", include("verification.urls")),
    path("", include("discussions.urls")),
    path("", include("wiki.urls")),
    path("blueprint/", include("blueprint.urls")),
    path("partnerships/", include("partnerships.urls")),
    path("", include("library.urls")),
    path("", include("messaging.urls")),
    path("communities/", include("communities.urls")),
    path("members/", include("members.urls")),
    path("saved/", include("saved.urls")),
    path("subscriptions/", include("subscriptions.urls")),
    path("search/", include("search.urls")),
    path("", include("tags.urls")),
    # /api/… and /account/tokens/, one "api" namespace
    path("", include("api.page_urls")),
    path("admin/", admin.site.urls),
]
