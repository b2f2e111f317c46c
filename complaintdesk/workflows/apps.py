from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "complaintdesk.workflows"
    label = "workflows"
    verbose_name = "Workflows 流程引擎"
