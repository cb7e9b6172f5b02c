from django.contrib import admin

from itdesk.tickets.models import Category, DeskSettings, Priority, Ticket, TicketEvent


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "name_zh", "parent", "default_group", "is_active", "position")
    list_filter = ("is_active", "parent")
    search_fields = ("code", "name_en", "name_zh")


@admin.register(Priority)
class PriorityAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name_en",
        "name_zh",
        "rank",
        "response_minutes",
        "resolution_minutes",
        "is_default",
    )


@admin.register(DeskSettings)
class DeskSettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "number_pattern")

    def has_add_permission(self, request):  # a single row
        return not DeskSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "actor", "kind", "field", "old_value", "new_value", "note", "public")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Read-only in the admin: tickets change only through the desk, the portal and the API."""

    list_display = ("number", "title", "status", "priority", "group", "assignee", "requester", "created_at")
    list_filter = ("status", "priority", "group", "channel")
    search_fields = ("number", "title")
    list_select_related = ("priority", "group", "assignee", "requester")
    inlines = [EventInline]
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Ticket._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
