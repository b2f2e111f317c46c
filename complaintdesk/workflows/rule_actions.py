"""The "start_process" rule action (启动流程), registered with the rules engine in
``WorkflowsConfig.ready()``: routing rules put new complaints into a process (标准投诉处理, the P1 fast
track, the quality countersign ...) without code.

Parameters: ``process`` (the key of an active process definition with a published version) and
``if_running`` — ``"skip"`` (default: a ticket that already runs a process keeps it) or ``"fail"``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from complaintdesk.rules.registry import ActionContext
    from complaintdesk.tickets.models import Ticket

KNOWN_PARAMS = {"process", "if_running"}


def validate(params: dict[str, Any]) -> list[str]:
    from complaintdesk.workflows.models import ProcessDefinition

    if not isinstance(params, dict):
        return ["参数必须是对象 / Parameters must be an object"]
    problems: list[str] = []
    unknown = sorted(set(params) - KNOWN_PARAMS)
    if unknown:
        problems.append(f"未知参数 {unknown} / Unknown parameters {unknown}")
    key = params.get("process")
    if not isinstance(key, str) or not key.strip():
        problems.append("process 必填（流程标识）/ process (the process key) is required")
    elif not ProcessDefinition.objects.filter(key=key).exists():
        problems.append(f"流程不存在 / Unknown process {key!r}")
    if params.get("if_running", "skip") not in ("skip", "fail"):
        problems.append("if_running 必须是 skip 或 fail / if_running must be skip or fail")
    return problems


def describe(ticket: Ticket, params: dict[str, Any]) -> str:
    key = params.get("process")
    return f"启动流程 {key} / Start the process {key!r}"


def run(ctx: ActionContext, params: dict[str, Any]) -> dict[str, Any]:
    from complaintdesk.core.errors import NotFound
    from complaintdesk.workflows.actions import do_start_process
    from complaintdesk.workflows.choices import InstanceStatus
    from complaintdesk.workflows.models import ProcessDefinition, ProcessInstance

    key = str(params["process"])
    definition = ProcessDefinition.objects.filter(key=key).first()
    if definition is None:
        raise NotFound(f"流程不存在 / Unknown process {key!r}")
    running = ProcessInstance.objects.filter(ticket=ctx.ticket, status=InstanceStatus.RUNNING).first()
    if running is not None and params.get("if_running", "skip") == "skip":
        return {"skipped": "process_running", "instance_id": running.pk}
    instance = do_start_process(ctx.ticket, definition=definition, actor=None)
    return {"process": key, "instance_id": instance.pk, "version": instance.version.version}


def register() -> None:
    from complaintdesk.rules.registry import param, register_action

    register_action("start_process", label="启动流程", label_en="Start a process", validate=validate,
                    describe=describe, run=run, params=[
                        param("process", "process", label="流程", label_en="Process", required=True),
                        param("if_running", "choice", label="已有流程在运行时", label_en="If a process is running",
                              choices=[("skip", "跳过", "Skip"), ("fail", "记为错误", "Record an error")]),
                    ])
