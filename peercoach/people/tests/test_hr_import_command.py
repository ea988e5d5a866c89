"""`manage.py import_people`: the same preview and result as the web, from a terminal."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from peercoach.people.hr_import.models import HrImport
from peercoach.people.models import Person
from peercoach.people.tests.hr_import_files import PEOPLE, csv_bytes, replace, xlsx_bytes
from peercoach.testing.factories import OrganizationFactory

CARLA, VIC, DEV, ANN = PEOPLE


@pytest.fixture
def org(db):
    return OrganizationFactory(slug="acme")


def run(path, *flags: str) -> str:
    out = io.StringIO()
    call_command("import_people", str(path), "--organization", "acme", *flags, stdout=out)
    return out.getvalue()


def test_a_dry_run_prints_the_preview_and_changes_nothing(org, tmp_path):
    path = tmp_path / "hr.csv"
    path.write_bytes(csv_bytes())
    output = run(path, "--dry-run")
    assert "New: 4 · updated: 0" in output
    assert "line 2: Carla Chief (E1)" in output
    assert "Dry run: nothing was changed." in output
    assert not Person.objects.in_organization(org).exists()
    assert not HrImport.objects.in_organization(org).exists()


def test_an_import_applies_the_file_and_keeps_a_record(org, tmp_path):
    path = tmp_path / "hr.xlsx"
    path.write_bytes(xlsx_bytes())
    output = run(path)
    assert (
        "Imported: 4 created, 0 updated, 0 reactivated, 0 deactivated; rows skipped: 0." in output
    )
    assert Person.objects.in_organization(org).count() == 4
    assert HrImport.objects.in_organization(org).get().status == HrImport.Status.APPLIED
    again = run(path)
    assert "Imported: 0 created, 0 updated, 0 reactivated, 0 deactivated; rows skipped: 0." in again


def test_rows_with_problems_stop_the_import_with_a_clear_message(org, tmp_path):
    path = tmp_path / "hr.csv"
    path.write_bytes(csv_bytes([CARLA, replace(VIC, manager_id="E77")]))
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 row has problems, so nothing was changed"):
        call_command("import_people", str(path), "--organization", "acme", stdout=out)
    assert "line 3: Unknown manager “E77”" in out.getvalue()
    assert not Person.objects.in_organization(org).exists()


def test_only_valid_rows_imports_the_rest(org, tmp_path):
    path = tmp_path / "hr.csv"
    path.write_bytes(csv_bytes([CARLA, replace(VIC, manager_id="E77")]))
    output = run(path, "--only-valid-rows")
    assert "1 created" in output
    assert "rows skipped: 1." in output


def test_a_dry_run_with_problems_exits_with_an_error(org, tmp_path):
    path = tmp_path / "hr.csv"
    path.write_bytes(csv_bytes([replace(CARLA, level="high")]))
    with pytest.raises(CommandError, match="1 row has problems"):
        run(path, "--dry-run")


def test_an_unreadable_file_names_the_reason(org, tmp_path):
    path = tmp_path / "hr.csv"
    path.write_bytes(b"")
    with pytest.raises(CommandError, match=r"hr\.csv cannot be imported: The file is empty\."):
        run(path)


def test_an_unknown_organization_or_missing_file_is_explained(org, tmp_path):
    with pytest.raises(CommandError, match="no organization with the slug “nope”"):
        call_command("import_people", str(tmp_path / "x.csv"), "--organization", "nope")
    with pytest.raises(CommandError, match="Cannot read"):
        run(tmp_path / "missing.csv")
