from django.db import models


class VersionStatus(models.TextChoices):
    """The life of a form version: edited as a draft, published (immutable), archived when replaced."""

    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    ARCHIVED = "archived", "已归档"
