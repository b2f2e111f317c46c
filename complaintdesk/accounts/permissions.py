"""Permission codes carried by roles, and the default roles seeded by the first migration.

A code is checked in actions and queries (``check_*``), never only in the UI.
"""

from __future__ import annotations

from dataclasses import dataclass

from complaintdesk.accounts.choices import DataScope

TICKET_VIEW = "ticket.view"
TICKET_CREATE = "ticket.create"
TICKET_EDIT = "ticket.edit"
TICKET_ASSIGN = "ticket.assign"
TICKET_TRANSITION = "ticket.transition"
TICKET_CLOSE = "ticket.close"
TICKET_COMMENT = "ticket.comment"
TICKET_MERGE = "ticket.merge"
TICKET_EXPORT = "ticket.export"
CUSTOMER_VIEW = "customer.view"
CUSTOMER_MANAGE = "customer.manage"
PRODUCT_MANAGE = "product.manage"
CATEGORY_MANAGE = "category.manage"
FORM_ADMIN = "form.admin"
PROCESS_ADMIN = "process.admin"
RULE_ADMIN = "rule.admin"
REPORT_VIEW = "report.view"
USER_MANAGE = "user.manage"
AUDIT_VIEW = "audit.view"
TOKEN_MANAGE = "token.manage"
SETTINGS_MANAGE = "settings.manage"
FIELD_VIEW_SENSITIVE = "field.view_sensitive"
IMPROVEMENT_MANAGE = "improvement.manage"
NOTIFICATION_ADMIN = "notification.admin"
CONFIG_MANAGE = "config.manage"
VIEW_SHARE = "view.share"

ALL_PERMISSIONS: dict[str, str] = {
    TICKET_VIEW: "查看工单 View tickets",
    TICKET_CREATE: "登记工单 Create tickets",
    TICKET_EDIT: "编辑工单 Edit tickets",
    TICKET_ASSIGN: "分派工单 Assign tickets",
    TICKET_TRANSITION: "变更状态 Change ticket status",
    TICKET_CLOSE: "关闭工单 Close tickets",
    TICKET_COMMENT: "回复与备注 Reply and add notes",
    TICKET_MERGE: "合并与关联 Merge and link tickets",
    TICKET_EXPORT: "导出 Export tickets",
    CUSTOMER_VIEW: "查看客户 View customers",
    CUSTOMER_MANAGE: "管理客户 Manage customers",
    PRODUCT_MANAGE: "管理产品 Manage products",
    CATEGORY_MANAGE: "管理分类 Manage categories",
    FORM_ADMIN: "管理表单 Administer forms",
    PROCESS_ADMIN: "管理流程 Administer processes",
    RULE_ADMIN: "管理规则与SLA Administer rules and SLA",
    REPORT_VIEW: "查看报表 View reports",
    USER_MANAGE: "管理用户与角色 Manage users and roles",
    AUDIT_VIEW: "查看审计日志 View the audit log",
    TOKEN_MANAGE: "管理API令牌 Manage own API tokens",
    SETTINGS_MANAGE: "系统设置 Change system settings",
    FIELD_VIEW_SENSITIVE: "查看敏感字段明文 See sensitive fields (phone, ID number) unmasked",
    IMPROVEMENT_MANAGE: "管理整改措施 Manage improvement actions (CAPA / 8D)",
    NOTIFICATION_ADMIN: "管理通知渠道与模板 Administer notification channels and templates",
    CONFIG_MANAGE: "导入导出配置包 Export and import configuration bundles",
    VIEW_SHARE: "共享工单视图 Share saved ticket views with everyone, a role or a team",
}


@dataclass(frozen=True)
class RoleTemplate:
    key: str
    name: str
    name_en: str
    data_scope: str
    permissions: tuple[str, ...]


_HANDLING = (TICKET_VIEW, TICKET_EDIT, TICKET_TRANSITION, TICKET_COMMENT, CUSTOMER_VIEW, TOKEN_MANAGE)

DEFAULT_ROLES: tuple[RoleTemplate, ...] = (
    RoleTemplate("admin", "管理员", "Administrator", DataScope.ALL, tuple(ALL_PERMISSIONS)),
    RoleTemplate(
        "supervisor", "客服主管", "Service supervisor", DataScope.ALL,
        (*_HANDLING, TICKET_CREATE, TICKET_ASSIGN, TICKET_CLOSE, TICKET_MERGE, TICKET_EXPORT,
         CUSTOMER_MANAGE, REPORT_VIEW, AUDIT_VIEW, FIELD_VIEW_SENSITIVE, IMPROVEMENT_MANAGE, VIEW_SHARE),
    ),
    RoleTemplate(
        "agent", "客服专员", "Service agent", DataScope.TEAM,
        (*_HANDLING, TICKET_CREATE, TICKET_ASSIGN, TICKET_CLOSE, TICKET_MERGE, CUSTOMER_MANAGE),
    ),
    RoleTemplate("handler", "处理人", "Handler (department staff)", DataScope.DEPARTMENT, _HANDLING),
    RoleTemplate(
        "quality", "质量工程师", "Quality engineer", DataScope.ALL,
        (TICKET_VIEW, TICKET_COMMENT, TICKET_EXPORT, CUSTOMER_VIEW, REPORT_VIEW, TOKEN_MANAGE, IMPROVEMENT_MANAGE),
    ),
    RoleTemplate(
        "auditor", "只读审计", "Read-only auditor", DataScope.ALL,
        (TICKET_VIEW, CUSTOMER_VIEW, REPORT_VIEW, AUDIT_VIEW),
    ),
)
