from django.contrib import admin
from django.urls import path, re_path

from complaintdesk.api import api
from complaintdesk.web.views import spa

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    # The web app's paths (history-mode routing); api/, admin/, static/ and media/ are never the app.
    path("", spa, name="home"),
    re_path(r"^(?!(?:api|admin|static|media)(?:/|$))(?P<path>.+)$", spa, name="web-app"),
]
