from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from peercoach.organizations.access import PEOPLE_ADMINS, members_only
from peercoach.organizations.models import Membership
from peercoach.people import hierarchy, selectors

DIRECTORY_PAGE_SIZE = 50


@members_only()
def directory(request: HttpRequest, membership: Membership) -> HttpResponse:
    text = request.GET.get("q", "").strip()[:200]
    department = request.GET.get("department", "").strip()[:200]
    may_see_leavers = membership.has_any_role(*PEOPLE_ADMINS)
    include_inactive = may_see_leavers and request.GET.get("inactive") == "1"
    people = selectors.directory_search(
        organization=membership.organization,
        text=text,
        department=department,
        include_inactive=include_inactive,
    )
    page = Paginator(people, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "text": text,
        "department": department,
        "departments": selectors.department_names(organization=membership.organization),
        "may_see_leavers": may_see_leavers,
        "include_inactive": include_inactive,
    }
    template = "people/directory.html"
    if request.htmx:  # type: ignore[attr-defined]
        template += "#results"
    return render(request, template, context)


@members_only()
def person_detail(request: HttpRequest, membership: Membership, person_id: int) -> HttpResponse:
    person = selectors.person_get(organization=membership.organization, person_id=person_id)
    context = {
        "person": person,
        "managers": hierarchy.people_above(person).order_by("management_path"),
        "direct_reports": person.direct_reports.filter(is_active=True).order_by("full_name"),
        "people_under_count": hierarchy.people_under(person).count(),
    }
    return render(request, "people/person_detail.html", context)
