from django.urls import path

from verification.views import applicant, review

app_name = "verification"

urlpatterns = [
    path("", applicant.application_status, name="status"),
    path("profile/", applicant.profile_edit, name="profile"),
    path("apply/", applicant.application_apply, name="apply"),
    path("rules/", applicant.rules_accept_page, name="rules"),
    path("sponsor/<str:token>/", applicant.sponsor_answer_page, name="sponsor"),
    path("queue/", review.review_queue, name="queue"),
    path("queue/<int:pk>/", review.review_application, name="review"),
    path("members/<int:pk>/standing/", review.member_standing, name="standing"),
    path("audit/", review.audit_log, name="audit"),
    path("audit/export.csv", review.audit_export, name="audit_export"),
]
