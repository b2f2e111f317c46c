from django.apps import AppConfig


class BundlesConfig(AppConfig):
    name = "complaintdesk.bundles"
    label = "bundles"
    verbose_name = "配置包 Configuration bundles"
