from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from peercoach.organizations.access import PEOPLE_ADMINS, members_only
from peercoach.organizations.models import Membership
from peercoach.people.hr_import import selectors, services
from peercoach.people.hr_import.forms import ConfirmForm, UploadForm
from peercoach.people.hr_import.models import HrImport
from peercoach.people.hr_import.planning import PREVIEW_BAD_ROWS, PREVIEW_EXAMPLES

IMPORTS_PAGE_SIZE = 25


@members_only(*PEOPLE_ADMINS)
def import_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    imports = selectors.hr_import_list(organization=membership.organization)
    page = Paginator(imports, IMPORTS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "people/imports/import_list.html", {"page": page, "form": UploadForm()})


@members_only(*PEOPLE_ADMINS)
def import_upload(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        hr_import = services.hr_import_upload(
            organization=membership.organization,
            uploaded_by=membership.user,
            filename=upload.name or "upload",
            data=upload.read(),
        )
        return redirect("people:import_detail", import_id=hr_import.pk)
    return render(request, "people/imports/import_upload.html", {"form": form})


@members_only(*PEOPLE_ADMINS)
def import_detail(request: HttpRequest, membership: Membership, import_id: int) -> HttpResponse:
    hr_import = selectors.hr_import_get(organization=membership.organization, import_id=import_id)
    return _render_detail(request, hr_import, ConfirmForm())


@members_only(*PEOPLE_ADMINS)
@require_POST
def import_confirm(request: HttpRequest, membership: Membership, import_id: int) -> HttpResponse:
    hr_import = selectors.hr_import_get(organization=membership.organization, import_id=import_id)
    form = ConfirmForm(request.POST)
    form.is_valid()  # a lone checkbox: always valid, absent means "no"
    try:
        hr_import = services.hr_import_confirm(
            hr_import=hr_import,
            confirmed_by=membership.user,
            only_valid_rows=form.cleaned_data.get("only_valid_rows", False),
        )
    except services.ImportHasProblems as problems:
        messages.error(
            request,
            f"Nothing was imported: {problems.plan.bad_rows_phrase()} problems. Fix them "
            "and upload the file again, or choose to import only the valid rows.",
        )
        return _render_detail(request, hr_import, form, status=400)
    except (services.ImportRejected, services.AlreadyApplied) as refused:
        messages.error(request, str(refused))
        return redirect("people:import_detail", import_id=hr_import.pk)
    done = "The import is done."
    if hr_import.skipped_count:
        skipped = hr_import.skipped_count
        done += f" {skipped} row{'s were' if skipped > 1 else ' was'} skipped; see below."
    messages.success(request, done)
    return redirect("people:import_detail", import_id=hr_import.pk)


def _render_detail(
    request: HttpRequest, hr_import: HrImport, form: ConfirmForm, status: int = 200
) -> HttpResponse:
    summary = hr_import.summary
    counts = summary.get("counts", {})
    context = {
        "hr_import": hr_import,
        "summary": summary,
        "counts": counts,
        "form": form,
        "may_confirm": hr_import.status == HrImport.Status.PREVIEWED,
        "examples_limit": PREVIEW_EXAMPLES,
        "bad_rows_limit": PREVIEW_BAD_ROWS,
        "more_bad_rows": max(0, counts.get("bad", 0) - len(summary.get("bad_rows", []))),
    }
    return render(request, "people/imports/import_detail.html", context, status=status)
