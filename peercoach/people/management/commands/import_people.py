from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from tqdm import tqdm

from peercoach.organizations.models import Organization
from peercoach.people.hr_import import services
from peercoach.people.hr_import.planning import ImportPlan, summarize

SHOWN_PER_LIST = 20


class _ProgressBar:
    """tqdm bars for each stage; silent when stderr is not a terminal."""

    def __init__(self) -> None:
        self.bar: tqdm[Any] | None = None

    def stage(self, name: str, total: int | None) -> None:
        self.close()
        self.bar = tqdm(desc=name, total=total, unit=" rows", disable=None, leave=False)

    def advance(self, count: int) -> None:
        if self.bar is not None:
            self.bar.update(count)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class Command(BaseCommand):
    quiet = False
    help = (
        "Import an HR export (CSV or XLSX) into an organization's directory: creates and updates "
        "people, marks leavers inactive, rebuilds reporting lines. Use --dry-run to preview."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The CSV or .xlsx file.")
        parser.add_argument("--organization", required=True, help="The organization's slug.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would change; change nothing."
        )
        parser.add_argument(
            "--only-valid-rows",
            action="store_true",
            help="Import every row without a problem and skip the others.",
        )

    def handle(
        self,
        *args: Any,
        file: Path,
        organization: str,
        dry_run: bool,
        only_valid_rows: bool,
        verbosity: int,
        **options: Any,
    ) -> None:
        self.quiet = verbosity == 0
        found = Organization.objects.filter(slug=organization).first()
        if found is None:
            raise CommandError(f"There is no organization with the slug “{organization}”.")
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        progress = _ProgressBar()
        try:
            if dry_run:
                plan = services.people_import_preview(
                    organization=found, data=data, filename=file.name, progress=progress
                )
            else:
                hr_import = services.hr_import_run(
                    organization=found,
                    filename=file.name,
                    data=data,
                    only_valid_rows=only_valid_rows,
                    progress=progress,
                )
        except services.ImportRejected as rejected:
            raise CommandError(f"{file.name} cannot be imported: {rejected}") from None
        except DatabaseError as error:
            raise CommandError(
                f"The database refused the import, so nothing was changed: {error}"
            ) from None
        except services.ImportHasProblems as problems:
            progress.close()
            self._print(problems.plan, verbosity)
            raise CommandError(
                f"{problems.plan.bad_rows_phrase()} problems, so nothing was changed. Fix "
                "them, or run again with --only-valid-rows to import everything else."
            ) from None
        finally:
            progress.close()
        if dry_run:
            self._print(plan, verbosity)
            self.stdout.write("Dry run: nothing was changed.")
            if plan.bad_rows and not only_valid_rows:
                raise CommandError(
                    f"{plan.bad_rows_phrase()} problems. Fix them, or import with "
                    "--only-valid-rows to skip them."
                )
            return
        self._print_summary(hr_import.summary, verbosity)
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported: {hr_import.created_count} created, {hr_import.updated_count} updated, "
                f"{hr_import.reactivated_count} reactivated, {hr_import.deactivated_count} "
                f"deactivated; rows skipped: {hr_import.skipped_count}."
            )
        )

    def _print(self, plan: ImportPlan, verbosity: int) -> None:
        self._print_summary(summarize(plan), verbosity)

    def _print_summary(self, summary: dict[str, Any], verbosity: int) -> None:
        write = self.stdout.write
        encoding = f", read as {summary['encoding']}" if summary["encoding"] else ""
        sheet = f", sheet “{summary['sheet']}”" if summary.get("sheet") else ""
        write(f"{summary['rows']} rows in this {summary['format']} file{encoding}{sheet}.")
        columns = ", ".join(f"{c['header']} → {c['field']}" for c in summary["columns"])
        write(f"Recognised columns: {columns}.")
        if summary["ignored_headers"]:
            write(f"Columns not used: {', '.join(summary['ignored_headers'])}.")
        counts = summary["counts"]
        write(
            f"New: {counts['create']} · updated: {counts['update']} · back again: "
            f"{counts['reactivate']} · leaving: {counts['deactivate']} · unchanged: "
            f"{counts['unchanged']} · rows with problems: {counts['bad']}"
        )
        for warning in summary["warnings"]:
            write(self.style.WARNING(warning))
        shown = SHOWN_PER_LIST if verbosity < 2 else None
        self._list("New", [_person(row) for row in summary["creates"]], counts["create"], shown)
        self._list(
            "Updated",
            [f"{_person(row)}: {_changes(row)}" for row in summary["updates"]],
            counts["update"] + counts["reactivate"],
            shown,
        )
        self._list(
            "Leaving",
            [f"{p['name']} ({p['employee_id']})" for p in summary["deactivations"]],
            counts["deactivate"],
            shown,
        )
        problems = [f"line {r['line']}: {' '.join(r['reasons'])}" for r in summary["bad_rows"]]
        self._list("Rows with problems", problems, counts["bad"], None, style=self.style.ERROR)

    def _list(
        self, title: str, lines: list[str], total: int, shown: int | None, style: Any = None
    ) -> None:
        if not lines or self.quiet:
            return
        self.stdout.write(f"{title}:")
        for line in lines[:shown]:
            self.stdout.write("  " + (style(line) if style else line))
        hidden = total - len(lines[:shown])
        if hidden > 0:
            self.stdout.write(f"  … and {hidden} more")


def _person(row: dict[str, Any]) -> str:
    return f"line {row['line']}: {row['name']} ({row['employee_id']})"


def _changes(row: dict[str, Any]) -> str:
    return "; ".join(f"{c['field']} {c['before']!r} → {c['after']!r}" for c in row["changes"])
