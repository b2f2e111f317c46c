"""The rule action "apply_sla" (params ``{"policy": id | name}``), registered with the rules engine."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from complaintdesk.sla.models import SlaPolicy

if TYPE_CHECKING:
    from complaintdesk.rules.registry import ActionContext
    from complaintdesk.tickets.models import Ticket


def _find(ref: Any) -> SlaPolicy | None:
    if isinstance(ref, bool):
        return None
    if isinstance(ref, int):
        return SlaPolicy.objects.filter(pk=ref).first()
    if isinstance(ref, str) and ref.strip():
        return SlaPolicy.objects.filter(name=ref.strip()).first()
    return None


def validate(params: dict[str, Any]) -> list[str]:
    problems = []
    unknown = set(params) - {"policy"}
    if unknown:
        problems.append(f"未知参数 {sorted(unknown)} / unknown parameters {sorted(unknown)}")
    if "policy" not in params:
        problems.append("需要 policy（编号或名称） / policy (id or name) is required")
    elif _find(params["policy"]) is None:
        problems.append(f"SLA 策略不存在: {params['policy']!s:.50} / no such SLA policy")
    return problems


def describe(ticket: Ticket, params: dict[str, Any]) -> str:
    policy = _find(params.get("policy"))
    name = policy.name if policy else str(params.get("policy"))
    return f"应用 SLA 策略「{name}」 / apply SLA policy {name!r} (priority {ticket.priority})"


def run(ctx: ActionContext, params: dict[str, Any]) -> dict[str, Any]:
    from complaintdesk.core.errors import InvalidInput
    from complaintdesk.sla.clocks import do_apply_sla

    policy = _find(params.get("policy"))
    if policy is None:
        raise InvalidInput("SLA 策略不存在 / no such SLA policy", details={"policy": str(params.get("policy"))[:50]})
    sla = do_apply_sla(ctx.ticket, policy=policy, reason=f"rule {ctx.rule_id} v{ctx.rule_version}")
    return {
        "policy_id": policy.pk, "policy_version": sla.policy_version,
        "first_response_due_at": sla.first_response_due_at.isoformat() if sla.first_response_due_at else None,
        "resolution_due_at": sla.resolution_due_at.isoformat() if sla.resolution_due_at else None,
    }


def register() -> None:
    from complaintdesk.rules.registry import param, register_action

    register_action("apply_sla", label="应用 SLA 策略", label_en="Apply an SLA policy", validate=validate,
                    describe=describe, run=run, params=[
                        param("policy", "sla_policy", label="SLA 策略", label_en="SLA policy", required=True),
                    ])
