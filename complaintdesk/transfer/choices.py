from django.db import models


class JobKind(models.TextChoices):
    IMPORT = "import", "导入"
    EXPORT = "export", "导出"


class JobStatus(models.TextChoices):
    """Import: uploaded → (checking →) checked → queued → running → completed (→ rolled_back);
    failed / interrupted jobs resume from their last committed batch. Export: queued → running →
    completed / failed."""

    UPLOADED = "uploaded", "已上传"
    CHECKING = "checking", "校验中"
    CHECKED = "checked", "已校验"
    QUEUED = "queued", "排队中"
    RUNNING = "running", "执行中"
    COMPLETED = "completed", "已完成"
    FAILED = "failed", "失败"
    ROLLED_BACK = "rolled_back", "已回滚"


class RecordAction(models.TextChoices):
    CREATED = "created", "新建"
    UPDATED = "updated", "更新"


class RecordType(models.TextChoices):
    TICKET = "ticket", "工单"
    CUSTOMER = "customer", "客户"
    CATEGORY = "category", "分类"
