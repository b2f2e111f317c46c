from django.db import models


class DataScope(models.TextChoices):
    """Which tickets a role lets its users see; a user's widest role wins."""

    OWN = "own", "本人"
    TEAM = "team", "本团队"
    DEPARTMENT = "department", "本部门及下级"
    ALL = "all", "全部"


SCOPE_WIDTH = {DataScope.OWN: 0, DataScope.TEAM: 1, DataScope.DEPARTMENT: 2, DataScope.ALL: 3}


class Availability(models.TextChoices):
    ON_DUTY = "on_duty", "在岗"
    AWAY = "away", "离开"
    OFF = "off", "休息"
