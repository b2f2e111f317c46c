from django.contrib import admin

from complaintdesk.tickets.models import Category, Ticket


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Read-mostly view; changes go through the API so that they are audited."""

    list_display = ("number", "subject", "status", "priority", "channel", "created_at")
    list_filter = ("status", "priority", "channel")
    search_fields = ("number", "subject")
    raw_id_fields = ("customer", "product", "assignee", "created_by", "repeat_of", "merged_into")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


admin.site.register(Category)
