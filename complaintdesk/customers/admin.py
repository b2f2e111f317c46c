from django.contrib import admin

from complaintdesk.customers.models import Customer, Product, ProductLine

admin.site.register(Customer)
admin.site.register(Product)
admin.site.register(ProductLine)
