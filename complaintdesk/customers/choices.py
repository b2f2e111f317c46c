from django.db import models


class CustomerTier(models.TextChoices):
    """Customer value level; VIP customers are served first by routing rules."""

    NORMAL = "normal", "普通"
    SILVER = "silver", "银卡"
    GOLD = "gold", "金卡"
    VIP = "vip", "VIP"


class ExternalSystem(models.TextChoices):
    CRM = "crm", "CRM"
    WECHAT_OPENID = "wechat_openid", "微信 OpenID"
    WECHAT_UNIONID = "wechat_unionid", "微信 UnionID"
    WECOM = "wecom", "企业微信"
    DINGTALK = "dingtalk", "钉钉"
    SHOP = "shop", "电商平台"
    OTHER = "other", "其他"
