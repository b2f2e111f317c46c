from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "complaintdesk.customers"
    label = "customers"
    verbose_name = "Customers 客户与产品"
