"""The HR import service: what a file creates, updates and deactivates, and what it refuses."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from peercoach.people import hierarchy
from peercoach.people.hierarchy import compute_paths
from peercoach.people.hr_import import services
from peercoach.people.hr_import.columns import map_columns
from peercoach.people.hr_import.models import HrImport
from peercoach.people.hr_import.planning import ImportPlan, plan_import
from peercoach.people.models import Person
from peercoach.people.tests.hr_import_files import HEADERS, PEOPLE, csv_bytes, replace, xlsx_bytes
from peercoach.testing.factories import (
    MembershipFactory,
    OrganizationFactory,
    PersonFactory,
    UserFactory,
)

CARLA, VIC, DEV, ANN = PEOPLE


@pytest.fixture
def org(db):
    return OrganizationFactory(name="Acme", slug="acme")


def apply(org, data: bytes, *, only_valid_rows: bool = False, filename: str = "hr.csv"):
    return services.people_import_apply(
        organization=org, data=data, filename=filename, only_valid_rows=only_valid_rows
    )


def preview(org, data: bytes, filename: str = "hr.csv") -> ImportPlan:
    return services.people_import_preview(organization=org, data=data, filename=filename)


def people(org) -> dict[str, Person]:
    return {p.employee_id: p for p in Person.objects.in_organization(org)}


def snapshot() -> list[dict]:
    """Every person row of every organization, every column."""
    return list(Person.all_organizations.order_by("pk").values())


def reasons(plan: ImportPlan) -> dict[int, str]:
    return {row.line: " ".join(row.problems) for row in plan.bad_rows}


# --- Creating, updating, deactivating --------------------------------------------------------


def test_a_first_import_creates_everyone_with_their_managers(org):
    _, counts = apply(org, csv_bytes())
    assert counts.created == 4
    directory = people(org)
    assert directory["E3"].manager == directory["E2"]
    assert directory["E2"].manager == directory["E1"]
    assert directory["E1"].manager is None
    dev = directory["E3"]
    assert (dev.full_name, dev.email, dev.department, dev.job_title) == (
        "Dev Seller",
        "dev@acme.test",
        "Sales",
        "Account executive",
    )
    assert (dev.level, dev.timezone, dev.languages, dev.office) == (
        4,
        "America/New_York",
        ["en", "es"],
        "New York",
    )


def test_management_paths_are_right_after_an_import(org):
    apply(org, csv_bytes())
    directory = people(org)
    assert set(hierarchy.people_under(directory["E1"])) == {
        directory[e] for e in ("E2", "E3", "E4")
    }
    assert directory["E3"].is_in_management_chain_of(directory["E1"])
    assert hierarchy.management_paths_rebuild(organization=org) == 0


def test_reimporting_the_same_file_changes_nothing(org):
    apply(org, csv_bytes())
    before = snapshot()
    plan, counts = apply(org, csv_bytes())
    assert (counts.created, counts.updated, counts.deactivated, counts.reactivated) == (0, 0, 0, 0)
    assert plan.unchanged == 4
    assert snapshot() == before  # not even updated_at moved


def test_reimporting_the_same_workbook_changes_nothing(org):
    apply(org, xlsx_bytes(), filename="hr.xlsx")
    before = snapshot()
    _, counts = apply(org, xlsx_bytes(), filename="hr.xlsx")
    assert (counts.created, counts.updated, counts.deactivated) == (0, 0, 0)
    assert snapshot() == before


def test_a_changed_file_updates_people_and_the_preview_shows_before_and_after(org):
    apply(org, csv_bytes())
    changed = [CARLA, VIC, replace(DEV, job_title="Senior account executive", level="5"), ANN]
    plan = preview(org, csv_bytes(changed))
    (update,) = plan.updates
    assert update.row.line == 4
    assert update.changes == {
        "job_title": ("Account executive", "Senior account executive"),
        "level": (4, 5),
    }
    untouched_updated_at = people(org)["E1"].updated_at
    apply(org, csv_bytes(changed))
    directory = people(org)
    assert (directory["E3"].job_title, directory["E3"].level) == ("Senior account executive", 5)
    assert directory["E1"].updated_at == untouched_updated_at


def test_changing_a_manager_moves_everyone_under_them(org):
    apply(org, csv_bytes())
    vic_under_ann = replace(VIC, manager_id="E4")
    plan = preview(org, csv_bytes([CARLA, vic_under_ann, DEV, ANN]))
    assert plan.updates[0].changes.keys() == {"manager_id"}
    apply(org, csv_bytes([CARLA, vic_under_ann, DEV, ANN]))
    directory = people(org)
    assert set(hierarchy.people_under(directory["E4"])) == {directory["E2"], directory["E3"]}
    assert hierarchy.management_paths_rebuild(organization=org) == 0


def test_people_absent_from_the_file_are_marked_as_left_and_kept(org):
    apply(org, csv_bytes())
    plan, counts = apply(org, csv_bytes([CARLA, VIC, DEV]))
    assert counts.deactivated == 1
    assert [person.employee_id for person in plan.deactivations] == ["E4"]
    ann = Person.objects.in_organization(org).get(employee_id="E4")
    assert not ann.is_active
    assert ann.deactivated_at is not None
    assert ann.full_name == "Ann Ops"  # history kept, nothing deleted
    assert Person.objects.in_organization(org).count() == 4


def test_a_leavers_account_is_switched_off_unless_another_organization_knows_them(org):
    apply(org, csv_bytes())
    directory = people(org)
    leaver = UserFactory(email="ann@acme.test")
    MembershipFactory(organization=org, user=leaver, person=directory["E4"])
    consultant = UserFactory(email="dev@acme.test")
    MembershipFactory(organization=org, user=consultant, person=directory["E3"])
    MembershipFactory(organization=OrganizationFactory(), user=consultant)
    stayer = UserFactory(email="vic@acme.test")
    MembershipFactory(organization=org, user=stayer, person=directory["E2"])

    apply(org, csv_bytes([CARLA, VIC]))

    for user in (leaver, consultant, stayer):
        user.refresh_from_db()
    assert not leaver.is_active
    assert consultant.is_active
    assert stayer.is_active


def test_someone_who_comes_back_is_reactivated(org):
    apply(org, csv_bytes())
    apply(org, csv_bytes([CARLA, VIC, DEV]))
    plan, counts = apply(org, csv_bytes())
    assert counts.reactivated == 1
    assert plan.reactivations[0].changes["is_active"] == (False, True)
    ann = Person.objects.in_organization(org).get(employee_id="E4")
    assert ann.is_active
    assert ann.deactivated_at is None


def test_people_are_matched_by_employee_id_within_the_organization(org):
    other = OrganizationFactory.create()
    stranger = PersonFactory.create(organization=other, employee_id="E1", email="carla@acme.test")
    apply(org, csv_bytes())
    stranger.refresh_from_db()
    assert stranger.organization == other
    assert Person.objects.in_organization(org).count() == 4


def test_two_people_can_swap_emails(org):
    apply(org, csv_bytes())
    swapped = [CARLA, replace(VIC, email="ann@acme.test"), DEV, replace(ANN, email="vic@acme.test")]
    apply(org, csv_bytes(swapped))
    directory = people(org)
    assert (directory["E2"].email, directory["E4"].email) == ("ann@acme.test", "vic@acme.test")


def test_a_column_the_file_lacks_leaves_that_detail_alone(org):
    apply(org, csv_bytes())
    without_office = [row[:-1] for row in PEOPLE]
    _, counts = apply(org, csv_bytes(without_office, HEADERS[:-1]))
    assert counts.updated == 0
    assert people(org)["E4"].office == "Tokyo"


# --- Reading files ---------------------------------------------------------------------------


def test_common_header_spellings_are_recognised_and_reported(org):
    headers = (
        "employee_id",
        "Full Name",
        "E-mail",
        "Manager Email",
        "Dept",
        "Job Title",
        "Grade",
        "timezone",
        "Language",
        "Location",
        "Cost centre",
    )
    rows = [
        (
            "1",
            "Carla Chief",
            "carla@acme.test",
            "",
            "Exec",
            "CEO",
            "G9",
            "europe/berlin",
            "en",
            "Berlin",
            "x",
        ),
        (
            "2",
            "Vic Vice",
            "vic@acme.test",
            "CARLA@acme.test",
            "Sales",
            "VP",
            "7",
            "UTC",
            "en",
            "NY",
            "y",
        ),
    ]
    plan = preview(org, csv_bytes(rows, headers))
    assert [(header, field.value) for header, field in plan.columns.recognised] == [
        ("employee_id", "employee_id"),
        ("Full Name", "name"),
        ("E-mail", "email"),
        ("Manager Email", "manager_email"),
        ("Dept", "department"),
        ("Job Title", "title"),
        ("Grade", "level"),
        ("timezone", "timezone"),
        ("Language", "languages"),
        ("Location", "office"),
    ]
    assert plan.columns.ignored == ["Cost centre"]
    assert plan.bad_rows == []
    vic = plan.creates[1]
    assert vic.manager is plan.creates[0]
    assert plan.creates[0].attributes["timezone"] == "Europe/Berlin"
    assert plan.creates[0].attributes["level"] == 9


def test_semicolon_separated_files_are_read(org):
    plan = preview(org, csv_bytes(delimiter=";"))
    assert len(plan.creates) == 4
    assert plan.creates[0].attributes["languages"] == ["en", "de"]


def test_a_windows_1252_file_is_read_and_says_so(org):
    rows = [replace(CARLA, name="Zoë Müller")]
    plan = preview(org, csv_bytes(rows, encoding="cp1252"))
    assert plan.encoding == "Windows-1252"
    assert plan.creates[0].full_name == "Zoë Müller"
    assert preview(org, csv_bytes(rows)).encoding == "UTF-8"


def test_line_numbers_count_the_lines_a_quoted_value_spans(org):
    rows = [replace(CARLA, job_title="Chief\nExecutive"), replace(VIC, time_zone="Mars/Base")]
    assert reasons(preview(org, csv_bytes(rows))).keys() == {4}


def test_a_workbook_is_read_from_its_first_sheet_and_says_which(org):
    plan = preview(org, xlsx_bytes(), filename="hr.xlsx")
    assert (plan.file_format, plan.sheet, plan.encoding) == ("XLSX", "Sheet", "")


def test_workbook_line_numbers_are_the_spreadsheet_row_numbers(org):
    rows = [CARLA, (), replace(VIC, time_zone="Mars/Base"), (1005, "Nat Number", "nat@acme.test")]
    plan = preview(org, xlsx_bytes(rows), filename="hr.xlsx")
    assert reasons(plan).keys() == {4}
    assert plan.creates[-1].employee_id == "1005"  # a numeric cell reads as text, not "1005.0"


# --- One test per reason a row or file is turned away ----------------------------------------


def test_unknown_manager(org):
    plan = preview(org, csv_bytes([CARLA, replace(VIC, manager_id="E99")]))
    assert reasons(plan) == {
        3: "Unknown manager “E99”: nobody in this file has that employee id or email."
    }


def test_a_manager_missing_from_the_file_is_named_when_the_directory_knows_them(org):
    apply(org, csv_bytes())
    plan = preview(org, csv_bytes([CARLA, replace(DEV, manager_id="E2")]))
    assert reasons(plan) == {
        3: "Unknown manager “E2”: Vic Vice is in the directory but not in this file, so they "
        "would be marked as left."
    }


def test_duplicate_employee_id_flags_every_copy(org):
    plan = preview(org, csv_bytes([CARLA, VIC, replace(DEV, employee_id="E2")]))
    assert "Duplicate employee id “E2”: also on line 4." in reasons(plan)[3]
    assert "Duplicate employee id “E2”: also on line 3." in reasons(plan)[4]


def test_duplicate_email_within_the_file(org):
    plan = preview(org, csv_bytes([CARLA, VIC, replace(DEV, email="VIC@acme.test")]))
    assert "Duplicate email “VIC@acme.test”: also on line 3." in reasons(plan)[4]
    assert 3 in reasons(plan)


def test_email_that_belongs_to_someone_else_in_the_directory(org):
    PersonFactory(organization=org, employee_id="X1", full_name="Old Timer", email="ann@acme.test")
    plan = preview(org, csv_bytes())
    assert reasons(plan) == {
        5: "Duplicate email “ann@acme.test”: it already belongs to Old Timer (employee id X1), who "
        "is not in this file (people who leave keep their email on record)."
    }


def test_a_cycle_in_reporting_lines_names_the_people_in_it(org):
    rows = [replace(CARLA, manager_id="E3"), VIC, DEV, ANN]
    plan = preview(org, csv_bytes(rows))
    cycle = (
        "Carla Chief (line 2) reports to Dev Seller (line 4), who reports to Vic Vice (line 3), "
        "who reports to Carla Chief (line 2)"
    )
    for line in (2, 3, 4):
        assert "Reporting lines form a cycle:" in reasons(plan)[line]
        assert all(
            name in reasons(plan)[line] for name in ("Carla Chief", "Vic Vice", "Dev Seller")
        )
    assert reasons(plan)[2] == f"Reporting lines form a cycle: {cycle}."


def test_someone_listed_as_their_own_manager(org):
    plan = preview(org, csv_bytes([replace(CARLA, manager_id="E1")]))
    assert reasons(plan) == {
        2: "Reporting lines form a cycle: Carla Chief (line 2) is their own manager."
    }


def test_reports_of_a_bad_row_are_reported_not_attached_to_nobody(org):
    rows = [CARLA, replace(VIC, time_zone="Nowhere/Land"), DEV, ANN]
    plan = preview(org, csv_bytes(rows))
    assert reasons(plan)[4] == (
        "Their manager Vic Vice (line 3) cannot be imported, so their reporting line cannot be set."
    )
    assert [row.employee_id for row in plan.creates] == ["E1", "E4"]


def test_invalid_time_zone(org):
    plan = preview(org, csv_bytes([replace(CARLA, time_zone="CET+2")]))
    assert reasons(plan) == {
        2: "Time zone “CET+2” is not an IANA time zone name such as Europe/Paris."
    }


def test_invalid_email(org):
    plan = preview(org, csv_bytes([replace(CARLA, email="carla-at-acme")]))
    assert reasons(plan) == {2: "Email “carla-at-acme” is not a valid email address."}


def test_missing_required_value(org):
    plan = preview(org, csv_bytes([CARLA, replace(VIC, name="", email=" ")]))
    assert reasons(plan) == {3: "Missing required value: name. Missing required value: email."}


def test_invalid_level(org):
    plan = preview(org, csv_bytes([replace(CARLA, level="Senior")]))
    assert reasons(plan) == {
        2: "Level “Senior” is not a whole number from 0 to 99 (L5 or Grade 5 also work)."
    }


def test_missing_required_column(org):
    headers = [h for h in HEADERS if h != "Email"]
    rows = [
        [value for header, value in zip(HEADERS, row, strict=True) if header != "Email"]
        for row in PEOPLE
    ]
    with pytest.raises(services.ImportRejected, match="Missing required column: email"):
        preview(org, csv_bytes(rows, headers))


def test_two_columns_meaning_the_same_thing(org):
    with pytest.raises(services.ImportRejected, match="Two columns mean email"):
        preview(org, csv_bytes([], [*HEADERS, "Work email"]))


def test_unreadable_encoding(org):
    undecodable = csv_bytes() + b"E9,Bad \x81\x8d bytes,bad@acme.test\n"
    with pytest.raises(services.ImportRejected, match="neither UTF-8 nor Windows-1252"):
        preview(org, undecodable)


def test_empty_file(org):
    with pytest.raises(services.ImportRejected, match="The file is empty"):
        preview(org, b"")
    with pytest.raises(services.ImportRejected, match="The file is empty"):
        preview(org, b"\n\n  \n")


def test_a_file_with_only_a_header_row_is_refused_rather_than_emptying_the_directory(org):
    apply(org, csv_bytes())
    with pytest.raises(services.ImportRejected, match="a header row but nobody in it"):
        apply(org, csv_bytes([]))
    assert Person.objects.in_organization(org).filter(is_active=True).count() == 4


def test_a_utf16_file_from_excel_unicode_text_is_read(org):
    data = b"\xff\xfe" + csv_bytes(delimiter="\t").decode().encode("utf-16-le")
    plan = preview(org, data)
    assert plan.encoding == "UTF-16"
    assert len(plan.creates) == 4


def test_an_old_excel_file_is_refused_with_advice(org):
    with pytest.raises(services.ImportRejected, match=r"old-style Excel file \(.xls\)"):
        preview(org, b"\xd0\xcf\x11\xe0" + b"\x00" * 100, filename="hr.xls")


def test_workbook_with_invalid_time_zone_and_unknown_manager(org):
    rows = [CARLA, replace(VIC, time_zone="Europe/Atlantis"), replace(DEV, manager_id="E42")]
    plan = preview(org, xlsx_bytes(rows), filename="hr.xlsx")
    assert reasons(plan) == {
        3: "Time zone “Europe/Atlantis” is not an IANA time zone name such as Europe/Paris.",
        4: "Unknown manager “E42”: nobody in this file has that employee id or email.",
    }


def test_workbook_missing_a_required_column(org):
    with pytest.raises(services.ImportRejected, match="Missing required column: employee id"):
        preview(
            org, xlsx_bytes([("Carla", "carla@acme.test")], ("Name", "Email")), filename="hr.xlsx"
        )


def test_a_workbook_that_is_not_really_one(org):
    with pytest.raises(services.ImportRejected, match="cannot be opened"):
        preview(org, b"PK\x03\x04 not a real zip", filename="hr.xlsx")


# --- Files with problems, and failures --------------------------------------------------------


def test_a_file_with_problems_changes_nothing(org):
    apply(org, csv_bytes())
    before = snapshot()
    rows = [replace(CARLA, job_title="Chair"), VIC, DEV, replace(ANN, email="nope")]
    with pytest.raises(services.ImportHasProblems) as refused:
        apply(org, csv_bytes(rows[:3] + rows[3:]))
    assert len(refused.value.plan.bad_rows) == 1
    assert snapshot() == before


def test_only_the_valid_rows_can_be_imported_and_the_rest_stay_as_they_were(org):
    apply(org, csv_bytes())
    rows = [
        replace(CARLA, job_title="Chair"),
        replace(VIC, job_title="Sales chief", time_zone="Not/AZone"),
        DEV,  # reports to Vic, whose row is bad: skipped too
        replace(ANN, job_title="COO"),
    ]
    _, counts = apply(org, csv_bytes(rows), only_valid_rows=True)
    assert counts.skipped == 2
    assert counts.deactivated == 0  # a row with a problem still says that person is here
    directory = people(org)
    assert directory["E1"].job_title == "Chair"
    assert directory["E4"].job_title == "COO"
    assert directory["E2"].job_title == "VP Sales"
    assert directory["E2"].is_active
    assert directory["E3"].is_active
    assert hierarchy.management_paths_rebuild(organization=org) == 0


def test_an_email_kept_by_someone_whose_row_is_skipped_blocks_whoever_wanted_it(org):
    apply(org, csv_bytes())
    rows = [
        CARLA,
        replace(VIC, email="vic.new@acme.test", level="Senior"),  # bad: keeps vic@acme.test
        replace(DEV, email="vic@acme.test", manager_id="E1"),
        ANN,
    ]
    plan = preview(org, csv_bytes(rows))
    assert (
        "already belongs to Vic Vice (employee id E2), whose own row cannot be imported"
        in (reasons(plan)[4])
    )


def test_a_failed_import_leaves_the_database_exactly_as_it_was(org, monkeypatch):
    apply(org, csv_bytes())
    before = snapshot()
    newcomer = (
        "E5",
        "Nia New",
        "nia@acme.test",
        "E1",
        "Ops",
        "Analyst",
        "3",
        "UTC",
        "en",
        "Remote",
    )
    changed = [replace(CARLA, job_title="Chair"), VIC, DEV, newcomer]  # Ann leaves

    def fail(*args, **kwargs):
        raise RuntimeError("the disk is full")

    # Creates and updates are written by then; the deactivation step fails.
    monkeypatch.setattr(services, "_deactivate", fail)
    with pytest.raises(RuntimeError):
        apply(org, csv_bytes(changed))
    assert snapshot() == before


def test_confirming_an_upload_rechecks_against_the_directory_as_it_is_now(org):
    upload = services.hr_import_upload(
        organization=org, uploaded_by=None, filename="hr.csv", data=csv_bytes()
    )
    assert upload.summary["counts"]["create"] == 4
    # Meanwhile someone else took Ann's email.
    PersonFactory(organization=org, employee_id="X9", full_name="Quick Hire", email="ann@acme.test")
    with pytest.raises(services.ImportHasProblems):
        services.hr_import_confirm(hr_import=upload, confirmed_by=None, only_valid_rows=False)
    upload.refresh_from_db()
    assert upload.status == HrImport.Status.PREVIEWED
    assert upload.summary["counts"]["bad"] == 1
    services.hr_import_confirm(hr_import=upload, confirmed_by=None, only_valid_rows=True)
    upload.refresh_from_db()
    assert (upload.status, upload.created_count, upload.skipped_count) == ("applied", 3, 1)


def test_an_upload_is_imported_only_once(org):
    upload = services.hr_import_upload(
        organization=org, uploaded_by=None, filename="hr.csv", data=csv_bytes()
    )
    services.hr_import_confirm(hr_import=upload, confirmed_by=None, only_valid_rows=False)
    stale_copy = HrImport.objects.in_organization(org).get(pk=upload.pk)
    stale_copy.status = HrImport.Status.PREVIEWED  # as a second browser tab still believes
    with pytest.raises(services.AlreadyApplied):
        services.hr_import_confirm(hr_import=stale_copy, confirmed_by=None, only_valid_rows=False)


def test_a_leaver_warning_appears_when_a_file_drops_many_people(org):
    from peercoach.people.hr_import.planning import summarize

    apply(org, csv_bytes())
    summary = summarize(preview(org, csv_bytes([CARLA])))
    assert summary["warnings"] == [
        "This file would mark 3 of 4 people as having left. Please check it is the full export, "
        "not part of it."
    ]


def test_deactivated_at_is_when_the_import_ran(org):
    apply(org, csv_bytes())
    apply(org, csv_bytes([CARLA]))
    leaver = people(org)["E4"]
    assert leaver.deactivated_at is not None
    assert timezone.now() - leaver.deactivated_at < timedelta(minutes=5)


def test_a_generated_organization_written_as_an_hr_file_imports_cleanly(org, tmp_path):
    from peercoach.people.hr_import.sample_files import write_hr_csv
    from peercoach.sample_org import generate_organization

    path = tmp_path / "generated.csv"
    assert write_hr_csv(generate_organization(300, seed=3), path) == 300
    plan, counts = apply(org, path.read_bytes())
    assert [row.problems for row in plan.bad_rows] == []
    assert counts.created == 300
    assert hierarchy.management_paths_rebuild(organization=org) == 0


@given(
    st.lists(
        st.tuples(st.integers(0, 12), st.one_of(st.none(), st.integers(0, 14))),
        min_size=1,
        max_size=25,
    )
)
def test_every_row_is_either_imported_or_explained_and_imports_never_form_a_cycle(links):
    # Random ids (some repeated) and managers (some unknown, some cycles): a messy HR file.
    rows = [
        (
            f"E{person}",
            f"Person {index}",
            f"p{index}@acme.test",
            "" if manager is None else f"E{manager}",
        )
        for index, (person, manager) in enumerate(links)
    ]
    plan = plan_import(
        columns=map_columns(["Employee ID", "Name", "Email", "Manager ID"]),
        numbered_rows=iter(enumerate(rows, start=2)),
        existing=[],
    )
    imported = {id(row) for row in plan.creates}
    assert len(plan.creates) + len(plan.bad_rows) == len(rows)
    assert all(row.problems for row in plan.bad_rows)
    assert all(row.manager is None or id(row.manager) in imported for row in plan.creates)
    compute_paths(  # raises on a cycle
        {
            index: None if row.manager is None else plan.creates.index(row.manager)
            for index, row in enumerate(plan.creates)
        }
    )
