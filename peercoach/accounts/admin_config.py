from __future__ import annotations

from django.contrib.admin.apps import AdminConfig


class SuperuserAdminConfig(AdminConfig):
    """Installs Django's admin with a site that only superusers may open (see admin_site.py)."""

    default_site = "peercoach.accounts.admin_site.SuperuserAdminSite"
