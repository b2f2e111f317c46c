from django.db import models


class VersionStatus(models.TextChoices):
    """The life of a form version: edited as a draft, published (immutable), archived when replaced."""

    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    ARCHIVED = "archived", "已归档"


class FieldAccess(models.TextChoices):
    """A restriction of one field for one role (字段级权限); no rule means full access."""

    HIDDEN = "hidden", "隐藏"
    READ_ONLY = "read_only", "只读"
