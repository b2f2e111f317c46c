from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "complaintdesk.accounts"
    label = "accounts"
    verbose_name = "Accounts 账户与权限"
