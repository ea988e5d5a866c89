from __future__ import annotations

import pytest

from peercoach.matching_engine.cli import main
from peercoach.matching_engine.loading import InputError, load_population
from peercoach.matching_engine.tests.helpers import people_csv, small_company_rows, write_csv


def run_expecting_error(tmp_path, capsys, arguments):
    outputs = [tmp_path / "matches.csv", tmp_path / "report.json"]
    status = main([*arguments, "--out", str(outputs[0]), "--report", str(outputs[1])])
    assert status != 0
    assert not any(path.exists() for path in outputs)
    return capsys.readouterr().err


@pytest.mark.parametrize(
    ("change", "line", "column", "reason"),
    [
        (lambda rows: rows.append(list(rows[1])), 8, "id", "duplicate id 'ana'"),
        (
            lambda rows: rows[2].__setitem__(2, "nobody"),
            4,
            "manager_id",
            "unknown manager 'nobody'",
        ),
        (lambda rows: rows[0].__setitem__(2, "eli"), 2, "manager_id", "cycle"),
        (lambda rows: rows[3].__setitem__(5, "Mars/Olympus"), 5, "timezone", "unknown time zone"),
        (lambda rows: rows[4].__setitem__(6, "nine to five"), 6, "hours", "should look like 09-17"),
        (lambda rows: rows[4].__setitem__(4, "senior"), 6, "level", "not a whole number"),
    ],
)
def test_bad_people_files_are_refused_with_file_line_and_column(
    tmp_path, capsys, change, line, column, reason
):
    rows = small_company_rows()
    change(rows)
    path = people_csv(tmp_path / "people.csv", rows)
    with pytest.raises(InputError) as caught:
        load_population(path)
    assert (caught.value.line, caught.value.column) == (line, column)
    assert reason in caught.value.reason
    message = run_expecting_error(tmp_path, capsys, ["pairs", str(path)])
    assert f"line {line}" in message
    assert column in message
    assert str(path) in message


@pytest.mark.parametrize(
    ("option", "header", "row", "column"),
    [
        ("--history", ["person_a", "person_b", "date"], ["ana", "zed", "2025-01-01"], "person_b"),
        ("--history", ["person_a", "person_b", "date"], ["ana", "ben", "last week"], "date"),
        ("--blocks", ["person_id", "blocked_id"], ["zed", "ana"], "person_id"),
        (
            "--preferences",
            ["person_id", "preferred_id", "rank"],
            ["ana", "zed", "1"],
            "preferred_id",
        ),
    ],
)
def test_unknown_people_in_the_extra_files_are_refused(
    tmp_path, capsys, option, header, row, column
):
    people = people_csv(tmp_path / "people.csv", small_company_rows())
    extra = write_csv(tmp_path / "extra.csv", header, [row])
    message = run_expecting_error(tmp_path, capsys, ["pairs", str(people), option, str(extra)])
    assert "extra.csv, line 2" in message
    assert column in message


def test_a_missing_id_column_is_named(tmp_path):
    path = write_csv(tmp_path / "people.csv", ["name"], [["Ana"]])
    with pytest.raises(InputError, match="column 'id': this required column is missing"):
        load_population(path)


def test_columns_may_come_in_any_order_and_defaults_apply(tmp_path):
    path = write_csv(tmp_path / "people.csv", ["languages", "id"], [["en;pt", "ana"], ["", "ben"]])
    people = load_population(path).people
    assert people[0].languages == ("en", "pt")
    assert people[1].hours == (9, 17)
    assert people[1].enrolled
    assert people[1].timezone == "UTC"
