"""The HR import pages: upload, preview, confirm, result."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from peercoach.people.hr_import.models import HrImport
from peercoach.people.models import Person
from peercoach.people.tests.hr_import_files import PEOPLE, csv_bytes, replace, xlsx_bytes

CARLA, VIC, DEV, ANN = PEOPLE


def upload(client, data: bytes, name: str = "hr.csv"):
    return client.post(
        reverse("people:import_upload"), {"file": SimpleUploadedFile(name, data)}, follow=True
    )


def acme_people(personas):
    return Person.objects.in_organization(personas.acme)


def test_upload_preview_shows_the_bad_row_with_its_line_then_confirming_imports_the_rest(personas):
    client = personas.client_for(personas.pam)
    rows = [CARLA, VIC, replace(DEV, time_zone="Moon/Crater"), ANN]
    preview = upload(client, csv_bytes(rows))
    assert preview.status_code == 200
    body = preview.content.decode()
    assert "Rows with problems" in body
    assert "<td>4</td>" in body  # the line number as the file shows it
    assert "Time zone “Moon/Crater” is not an IANA time zone name" in body
    assert "Import only the valid rows" in body
    assert "Employee ID → employee id" in body
    hr_import = HrImport.objects.in_organization(personas.acme).get()
    assert hr_import.status == HrImport.Status.PREVIEWED
    assert not acme_people(personas).filter(employee_id="E1").exists()  # a preview changes nothing

    confirm_url = reverse("people:import_confirm", args=[hr_import.pk])
    result = client.post(confirm_url, {"only_valid_rows": "on"}, follow=True)
    assert result.status_code == 200
    assert "The import is done" in result.content.decode()
    hr_import.refresh_from_db()
    assert (hr_import.status, hr_import.created_count, hr_import.skipped_count) == ("applied", 3, 1)
    assert hr_import.applied_by == personas.pam
    imported = set(
        acme_people(personas).filter(is_active=True).values_list("employee_id", flat=True)
    )
    assert imported == {"E1", "E2", "E4"}


def test_confirming_a_file_with_problems_without_choosing_valid_rows_changes_nothing(personas):
    client = personas.client_for(personas.ada)
    upload(client, csv_bytes([CARLA, replace(VIC, email="not-an-email")]))
    hr_import = HrImport.objects.in_organization(personas.acme).get()
    before = list(Person.all_organizations.order_by("pk").values())
    response = client.post(reverse("people:import_confirm", args=[hr_import.pk]), {})
    assert response.status_code == 400
    assert "Nothing was imported: 1 row has problems." in response.content.decode()
    assert list(Person.all_organizations.order_by("pk").values()) == before
    hr_import.refresh_from_db()
    assert hr_import.status == HrImport.Status.PREVIEWED


def test_a_clean_file_imports_and_the_result_page_shows_what_changed(personas):
    client = personas.client_for(personas.ada)
    upload(client, xlsx_bytes(), name="people.xlsx")
    hr_import = HrImport.objects.in_organization(personas.acme).get()
    assert hr_import.summary["counts"]["create"] == 4
    # Acme's three people from the fixtures are not in the file: they would leave.
    assert hr_import.summary["counts"]["deactivate"] == 3
    result = client.post(reverse("people:import_confirm", args=[hr_import.pk]), follow=True)
    body = result.content.decode()
    assert "Imported" in body
    assert "marked as left" in body
    assert acme_people(personas).filter(employee_id="E3", is_active=True).exists()


def test_an_unreadable_file_is_kept_as_rejected_with_the_reason(personas):
    client = personas.client_for(personas.pam)
    response = upload(client, b"Name,Email\nAda,ada@acme.test\n")
    assert "Missing required column: employee id." in response.content.decode()
    hr_import = HrImport.objects.in_organization(personas.acme).get()
    assert hr_import.status == HrImport.Status.REJECTED
    refused = client.post(reverse("people:import_confirm", args=[hr_import.pk]), follow=True)
    assert "This file could not be read, so there is nothing to import." in refused.content.decode()


def test_a_file_over_the_size_limit_is_refused_at_upload(personas, settings):
    settings.HR_IMPORT_MAX_BYTES = 100
    response = upload(personas.client_for(personas.pam), csv_bytes())
    assert "the largest we accept is 100" in response.content.decode()
    assert not HrImport.objects.in_organization(personas.acme).exists()


def test_an_empty_upload_is_refused_with_a_message(personas):
    response = upload(personas.client_for(personas.pam), b"")
    assert "The submitted file is empty." in response.content.decode()


def test_other_file_types_are_refused(personas):
    response = upload(personas.client_for(personas.pam), b"%PDF-1.4", name="people.pdf")
    assert "Please upload a CSV or an Excel (.xlsx) file." in response.content.decode()


def test_the_list_shows_past_imports_of_my_organization_only(personas):
    upload(personas.client_for(personas.pam), csv_bytes(), name="acme-may.csv")
    upload(personas.client_for(personas.otto), csv_bytes(), name="globex-may.csv")
    body = personas.client_for(personas.ada).get(reverse("people:import_list")).content.decode()
    assert "acme-may.csv" in body
    assert "globex-may.csv" not in body


def test_another_organizations_import_answers_404(personas):
    upload(personas.client_for(personas.otto), csv_bytes())
    theirs = HrImport.objects.in_organization(personas.globex).get()
    client = personas.client_for(personas.ada)
    assert client.get(reverse("people:import_detail", args=[theirs.pk])).status_code == 404
    confirm = client.post(
        reverse("people:import_confirm", args=[theirs.pk]), {"only_valid_rows": "on"}
    )
    assert confirm.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == HrImport.Status.PREVIEWED


def test_participants_and_sponsors_cannot_import(personas):
    for user in (personas.pia, personas.sid):
        client = personas.client_for(user)
        assert client.get(reverse("people:import_list")).status_code == 403
        response = client.post(
            reverse("people:import_upload"), {"file": SimpleUploadedFile("a.csv", csv_bytes())}
        )
        assert response.status_code == 403
    assert not HrImport.objects.in_organization(personas.acme).exists()


def test_confirm_only_accepts_post(personas):
    upload(personas.client_for(personas.pam), csv_bytes())
    hr_import = HrImport.objects.in_organization(personas.acme).get()
    response = personas.client_for(personas.pam).get(
        reverse("people:import_confirm", args=[hr_import.pk])
    )
    assert response.status_code == 405
