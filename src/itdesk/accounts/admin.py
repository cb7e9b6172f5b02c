from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from itdesk.accounts.models import Department, Membership, SupportGroup, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "employee_id", "department", "role", "is_active")
    list_filter = ("role", "is_active", "department")
    search_fields = ("username", "display_name", "employee_id", "email")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (
            _("ITDesk"),
            {
                "fields": (
                    "display_name",
                    "employee_id",
                    "department",
                    "phone",
                    "im_handle",
                    "language",
                    "role",
                )
            },
        ),
    )


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "parent")
    search_fields = ("name", "code")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ("user",)


@admin.register(SupportGroup)
class SupportGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "lead", "is_first_line")
    inlines = [MembershipInline]
