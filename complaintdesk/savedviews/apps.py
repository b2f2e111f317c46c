from django.apps import AppConfig


class SavedViewsConfig(AppConfig):
    name = "complaintdesk.savedviews"
    label = "savedviews"
    verbose_name = "Saved views 视图"
