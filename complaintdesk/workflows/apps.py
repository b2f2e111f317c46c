from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "complaintdesk.workflows"
    label = "workflows"
    verbose_name = "Workflows 流程引擎"

    def ready(self) -> None:
        from complaintdesk.forms.permissions import RIGHTS_SOURCES
        from complaintdesk.rules.assignment import load_source
        from complaintdesk.workflows.actions import open_work_item_load
        from complaintdesk.workflows.rights import workflow_field_rights

        load_source(open_work_item_load)
        if workflow_field_rights not in RIGHTS_SOURCES:
            RIGHTS_SOURCES.append(workflow_field_rights)
        from complaintdesk.workflows import rule_actions, tasks  # noqa: F401  (tasks: registers the periodic jobs)

        rule_actions.register()
