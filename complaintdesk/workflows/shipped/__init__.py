"""The processes ComplaintDesk ships with (标准投诉处理, 紧急投诉快速通道, 质量投诉会签, 整改 8D).

Each ``<key>.bpmn`` is a BPMN 2.0 file with diagram interchange (opens in bpmn-js / Camunda
Modeler) and our ``cd:*`` extension properties (docs/workflows.md). Migration
``workflows.0002_shipped_processes`` publishes them as version 1; a test publishes every file
through the publish validator, so the migration can insert them as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ShippedProcess:
    key: str
    name: str
    name_en: str
    description: str

    @property
    def path(self) -> Path:
        return Path(__file__).resolve().parent / f"{self.key}.bpmn"

    def read_xml(self) -> str:
        return self.path.read_text(encoding="utf-8")


SHIPPED_PROCESSES: tuple[ShippedProcess, ...] = (
    ShippedProcess(
        "standard_complaint", "标准投诉处理", "Standard complaint handling",
        "受理 → 分派 → 处理 → 审核 → 答复客户 → 回访 → 关闭。审核驳回、回访不满意退回处理；"
        "P1 紧急投诉走快速通道跳过审核。 / Accept, dispatch, handle, review, reply, follow-up call, close; "
        "rejected reviews and unhappy customers go back to handling; P1 skips the review.",
    ),
    ShippedProcess(
        "urgent_fast_track", "紧急投诉快速通道", "Urgent complaint fast track",
        "P1 紧急投诉直达责任部门处理，客服主管抄送知悉，2 小时时限，超时升级。 / P1 complaints go straight to "
        "handling, the supervisors are cc'd, 2-hour deadlines that escalate.",
    ),
    ShippedProcess(
        "quality_countersign", "质量投诉会签", "Quality complaint countersign",
        "质量部、技术部、售后部会签根因与补救措施（全部同意），再由质量工程师审核。 / Quality, engineering and "
        "after-sales all sign off root cause and remedy, then a quality engineer reviews.",
    ),
    ShippedProcess(
        "capa_8d", "整改 8D", "8D corrective action",
        "8D 问题解决：D1 成立小组、D2 问题描述、D3 临时措施、D4 根因分析、D5 永久措施、D6 实施验证、D7 预防再发、"
        "D8 总结表彰。 / The eight disciplines, one task each; an ineffective fix goes back to root cause.",
    ),
)

SHIPPED_BY_KEY: dict[str, ShippedProcess] = {p.key: p for p in SHIPPED_PROCESSES}
