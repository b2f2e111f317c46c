from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from complaintdesk.accounts.models import ApiToken, Department, Role, Team, User


@admin.register(User)
class CDUserAdmin(UserAdmin):
    list_display = ("username", "display_name", "department", "is_active", "availability")
    fieldsets = (*(UserAdmin.fieldsets or ()), ("ComplaintDesk", {"fields": (
        "display_name", "phone", "department", "teams", "roles", "availability")}))


admin.site.register(Department)
admin.site.register(Team)
admin.site.register(Role)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("token_hash", "prefix")
