from django.contrib import admin

from itdesk.notifications.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "subject", "status", "attempts", "sent_at")
    list_filter = ("status", "channel")
    search_fields = ("recipient", "subject", "dedupe_key")
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
