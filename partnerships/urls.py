from django.urls import path

from partnerships.views import hazards, plan, resources, summary, table, workspace

app_name = "partnerships"

one = "<int:pk>/"

urlpatterns = [
    path("", workspace.partnership_list, name="list"),
    path("new/", workspace.partnership_create, name="create"),
    path(one, workspace.overview, name="overview"),
    path(f"{one}edit/", workspace.partnership_edit, name="edit"),
    path(f"{one}co-leads/", workspace.co_lead_set, name="co_lead_set"),
    path(f"{one}co-leads/remove/", workspace.co_lead_remove, name="co_lead_remove"),
    path(f"{one}approvals/", workspace.output_approve, name="approve"),
    path(f"{one}steps/<int:number>/", workspace.step_detail, name="step"),
    path(f"{one}steps/<int:number>/state/", workspace.step_state, name="step_state"),
    path(f"{one}stakeholders/", table.stakeholders, name="stakeholders"),
    path(f"{one}stakeholders/<int:row>/state/", table.stakeholder_state, name="stakeholder_state"),
    path(f"{one}issues/", table.issues, name="issues"),
    path(f"{one}issues/<int:issue>/", table.issue_detail, name="issue"),
    path(f"{one}issues/<int:issue>/vote/", table.issue_vote, name="issue_vote"),
    path(f"{one}resources/", resources.resource_list, name="resources"),
    path(f"{one}resources/new/", resources.resource_add, name="resource_add"),
    path(f"{one}resources/72-hours/", resources.within_72_hours, name="within_72_hours"),
    path(f"{one}resources/import/", resources.resource_import, name="resource_import"),
    path(f"{one}resources/export.csv", resources.resource_export, name="resource_export"),
    path("resources/<int:pk>/", resources.resource_detail, name="resource"),
    path("resources/<int:pk>/edit/", resources.resource_edit, name="resource_edit"),
    path("resources/<int:pk>/remove/", resources.resource_remove, name="resource_remove"),
    path(f"{one}hazards/", hazards.hazard_register, name="hazards"),
    path("hazards/<int:pk>/", hazards.hazard_detail, name="hazard"),
    path(f"{one}plan/", plan.plan, name="plan"),
    path(f"{one}plan/<slug:what>/", plan.plan_add, name="plan_add"),
    path("needs/<int:pk>/", plan.need_detail, name="need"),
    path("goals/<int:pk>/", plan.goal_detail, name="goal"),
    path("tasks/<int:pk>/", plan.task_detail, name="task"),
    path("tasks/<int:pk>/edit/", plan.task_edit, name="task_edit"),
    path("tasks/<int:pk>/state/", plan.task_state, name="task_state"),
    path("tasks/<int:pk>/checklist/", plan.checklist_add, name="checklist_add"),
    path("tasks/<int:pk>/checklist/<int:item>/", plan.checklist_toggle, name="checklist_toggle"),
    path(f"{one}summary/", summary.summary, name="summary"),
    path(f"{one}summary.pdf", summary.summary_pdf, name="summary_pdf"),
]
