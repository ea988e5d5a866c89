from __future__ import annotations

from django.urls import include, path

from peercoach.accounts import views

urlpatterns = [
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    # Listed before allauth's own patterns so that this one answers at the same address.
    path("email/", views.email_managed_by_organization, name="account_email"),
    path("", include("allauth.account.urls")),
]
