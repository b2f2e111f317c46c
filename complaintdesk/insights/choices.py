"""Choices of threshold alerts: levels (蓝/黄/红), metrics, groupings and alert status."""

from __future__ import annotations

from django.db import models


class AlertLevel(models.TextChoices):
    BLUE = "blue", "蓝色预警"
    YELLOW = "yellow", "黄色预警"
    RED = "red", "红色预警"


# Ascending severity; a level "rises" when its rank grows.
LEVEL_ORDER: tuple[str, ...] = (AlertLevel.BLUE, AlertLevel.YELLOW, AlertLevel.RED)
LEVEL_RANK: dict[str, int] = {level: rank for rank, level in enumerate(LEVEL_ORDER, start=1)}


def level_rank(level: str | None) -> int:
    """0 for no level, 1 blue, 2 yellow, 3 red."""
    return LEVEL_RANK.get(level or "", 0)


class AlertMetric(models.TextChoices):
    COUNT = "count", "投诉量"
    GROWTH = "growth", "环比增长率(%)"


class AlertGrouping(models.TextChoices):
    CATEGORY = "category", "分类"
    PRODUCT = "product", "产品"
    PRODUCT_LINE = "product_line", "产品线"
    REGION = "region", "地区"
    CHANNEL = "channel", "渠道"
    NONE = "none", "不分组"


class AlertStatus(models.TextChoices):
    OPEN = "open", "未解除"
    CLEARED = "cleared", "已解除"
