from __future__ import annotations

from django.contrib import admin

from peercoach.organizations.models import Membership, Organization
from peercoach.people.models import Person


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin[Organization]):
    list_display = ("name", "slug", "minimum_reporting_size", "created_at")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = (
        "user",
        "organization",
        "person",
        "is_program_manager",
        "is_sponsor",
        "is_organization_admin",
    )
    list_filter = ("organization", "is_program_manager", "is_sponsor", "is_organization_admin")
    search_fields = ("user__email", "person__full_name")
    raw_id_fields = ("user", "person")


# People are registered here rather than in the people app so that one file holds the admin of
# everything an organization owns; the directory itself is maintained by the HR import.
@admin.register(Person)
class PersonAdmin(admin.ModelAdmin[Person]):
    list_display = ("full_name", "email", "organization", "department", "is_active")
    list_filter = ("organization", "is_active")
    search_fields = ("full_name", "email", "employee_id")
    raw_id_fields = ("manager",)
    readonly_fields = ("management_path", "created_at", "updated_at")
