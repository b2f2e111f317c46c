from django.db import models


class Channel(models.TextChoices):
    """Where a complaint came from (渠道)."""

    WEB_FORM = "web_form", "网页表单"
    API = "api", "API"
    EMAIL = "email", "邮件"
    PHONE = "phone", "电话"
    WECHAT = "wechat", "微信"
    WECOM = "wecom", "企业微信"
    DINGTALK = "dingtalk", "钉钉"
    MINI_PROGRAM = "mini_program", "小程序"
    STORE = "store", "门店"
    SOCIAL = "social", "社交媒体"
    IMPORT = "import", "导入"


class TicketStatus(models.TextChoices):
    NEW = "new", "新建"
    ACCEPTED = "accepted", "已受理"
    IN_PROGRESS = "in_progress", "处理中"
    PENDING_CUSTOMER = "pending_customer", "待客户反馈"
    RESOLVED = "resolved", "已解决"
    CLOSED = "closed", "已关闭"
    REOPENED = "reopened", "已重开"
    CANCELLED = "cancelled", "已取消"


OPEN_STATUSES = (
    TicketStatus.NEW, TicketStatus.ACCEPTED, TicketStatus.IN_PROGRESS,
    TicketStatus.PENDING_CUSTOMER, TicketStatus.REOPENED,
)

# The lifecycle: from each status, the statuses a ticket may move to.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    TicketStatus.NEW: (TicketStatus.ACCEPTED, TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED,
                       TicketStatus.CANCELLED),
    TicketStatus.ACCEPTED: (TicketStatus.IN_PROGRESS, TicketStatus.PENDING_CUSTOMER, TicketStatus.RESOLVED,
                            TicketStatus.CANCELLED),
    TicketStatus.IN_PROGRESS: (TicketStatus.PENDING_CUSTOMER, TicketStatus.RESOLVED, TicketStatus.CANCELLED),
    TicketStatus.PENDING_CUSTOMER: (TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED, TicketStatus.CANCELLED),
    TicketStatus.RESOLVED: (TicketStatus.CLOSED, TicketStatus.REOPENED),
    TicketStatus.CLOSED: (TicketStatus.REOPENED,),
    TicketStatus.REOPENED: (TicketStatus.IN_PROGRESS, TicketStatus.PENDING_CUSTOMER, TicketStatus.RESOLVED,
                            TicketStatus.CANCELLED),
    TicketStatus.CANCELLED: (),
}


class Level(models.TextChoices):
    HIGH = "high", "高"
    MEDIUM = "medium", "中"
    LOW = "low", "低"


class Priority(models.TextChoices):
    P1 = "P1", "P1 紧急"
    P2 = "P2", "P2 高"
    P3 = "P3", "P3 中"
    P4 = "P4", "P4 低"


# urgency × impact → priority (ITIL matrix).
PRIORITY_MATRIX: dict[tuple[str, str], str] = {
    (Level.HIGH, Level.HIGH): Priority.P1,
    (Level.HIGH, Level.MEDIUM): Priority.P2,
    (Level.MEDIUM, Level.HIGH): Priority.P2,
    (Level.HIGH, Level.LOW): Priority.P3,
    (Level.MEDIUM, Level.MEDIUM): Priority.P3,
    (Level.LOW, Level.HIGH): Priority.P3,
    (Level.MEDIUM, Level.LOW): Priority.P4,
    (Level.LOW, Level.MEDIUM): Priority.P4,
    (Level.LOW, Level.LOW): Priority.P4,
}


class LinkKind(models.TextChoices):
    RELATED = "related", "相关"
    DUPLICATE_OF = "duplicate_of", "重复于"
    PARENT_OF = "parent_of", "父工单"
    REPEAT_OF = "repeat_of", "重复投诉"


class EventType(models.TextChoices):
    """Kinds of timeline entries (TicketEvent.type)."""

    CREATED = "created", "创建"
    UPDATED = "updated", "修改"
    STATUS_CHANGED = "status_changed", "状态变更"
    ASSIGNED = "assigned", "分派"
    COMMENTED = "commented", "回复/备注"
    ATTACHMENT_ADDED = "attachment_added", "上传附件"
    LINKED = "linked", "关联"
    UNLINKED = "unlinked", "取消关联"
    MERGED = "merged", "合并"
    REPEAT_DETECTED = "repeat_detected", "重复投诉"
    # workflow engine
    PROCESS_STARTED = "process_started", "流程启动"
    PROCESS_COMPLETED = "process_completed", "流程结束"
    PROCESS_TERMINATED = "process_terminated", "流程终止"
    PROCESS_WITHDRAWN = "process_withdrawn", "撤回"
    TASK_CLAIMED = "task_claimed", "签收任务"
    TASK_RELEASED = "task_released", "退回任务池"
    TASK_COMPLETED = "task_completed", "办理"
    TASK_TRANSFERRED = "task_transferred", "转交"
    TASK_RETURNED = "task_returned", "退回"
    TASK_SIGNER_ADDED = "task_signer_added", "加签"
    TASK_CC = "task_cc", "抄送"
    TASK_URGED = "task_urged", "催办"
    TASK_TIMED_OUT = "task_timed_out", "节点超时"
    # SLA
    SLA_APPLIED = "sla_applied", "SLA 生效"
    SLA_PAUSED = "sla_paused", "SLA 暂停"
    SLA_RESUMED = "sla_resumed", "SLA 恢复"
    SLA_WARNING = "sla_warning", "SLA 预警"
    SLA_BREACHED = "sla_breached", "SLA 超时"
    SLA_ESCALATED = "sla_escalated", "升级"
    # rules, notifications, alerts, improvement
    RULE_RUN = "rule_run", "规则执行"
    NOTIFICATION_SENT = "notification_sent", "通知客户"
    ALERT_LINKED = "alert_linked", "关联预警"
    IMPROVEMENT_LINKED = "improvement_linked", "关联整改"
