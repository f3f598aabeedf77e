"""Every change to a partnership, one door: the workspace (creation, co-leads, steps, approvals), the table
(stakeholders and common issues), the resource inventory, the hazard register and the plan.

Keyword-only, typed and atomic; each checks the acting member through ``partnerships.access`` (the access
policy underneath) and raises ``ValidationError`` with a message per field when a change cannot be made.
"""

from partnerships.services.hazards import hazard_add, hazard_update
from partnerships.services.inventory import (
    RESOURCE_FIELDS,
    ImportRefusedError,
    ImportRow,
    resource_add,
    resource_remove,
    resource_update,
    resources_import,
)
from partnerships.services.plan import (
    checklist_item_add,
    checklist_item_set,
    goal_add,
    goal_update,
    need_add,
    need_update,
    task_add,
    task_set_state,
    task_update,
    tasks_announce_overdue,
)
from partnerships.services.table import (
    issue_comment,
    issue_propose,
    issue_unvote,
    issue_vote,
    stakeholder_add,
    stakeholder_set_state,
)
from partnerships.services.workspace import (
    OutputStatus,
    co_lead_remove,
    co_lead_set,
    output_approve,
    output_status,
    output_withdraw,
    partnership_create,
    partnership_update,
    step_set_state,
    step_touch,
)

__all__ = [
    "RESOURCE_FIELDS",
    "ImportRefusedError",
    "ImportRow",
    "OutputStatus",
    "checklist_item_add",
    "checklist_item_set",
    "co_lead_remove",
    "co_lead_set",
    "goal_add",
    "goal_update",
    "hazard_add",
    "hazard_update",
    "issue_comment",
    "issue_propose",
    "issue_unvote",
    "issue_vote",
    "need_add",
    "need_update",
    "output_approve",
    "output_status",
    "output_withdraw",
    "partnership_create",
    "partnership_update",
    "resource_add",
    "resource_remove",
    "resource_update",
    "resources_import",
    "stakeholder_add",
    "stakeholder_set_state",
    "step_set_state",
    "step_touch",
    "task_add",
    "task_set_state",
    "task_update",
    "tasks_announce_overdue",
]
