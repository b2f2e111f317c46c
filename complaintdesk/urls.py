from django.contrib import admin
from django.urls import path

from complaintdesk.api import api
from complaintdesk.core.views import home

urlpatterns = [
    path("", home, name="home"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
