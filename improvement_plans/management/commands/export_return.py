"""Write a round's BCF return to a file: the latest issued version, or with --draft the return
as it would be issued now.

Why: returns go into other systems and scheduled jobs; this gives them the same files a
facilitator downloads, without a browser.

    manage.py export_return --system northshire --round "2025/26" --format pdf --output return.pdf
    manage.py export_return --system northshire --round "2019/20" --format docx --output return.docx

A round recorded afterwards is an agreed round like any other: its return exports the same way.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.models import Round
from improvement_plans import documents, reports
from improvement_plans.return_services import latest_issued


class Command(BaseCommand):
    help = "Write the latest issued BCF return (or, with --draft, a draft) as PDF, XLSX or DOCX."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--system", required=True, help="The system's slug.")
        parser.add_argument("--round", required=True, dest="round_name", help="The round's name.")
        parser.add_argument(
            "--format", required=True, choices=["pdf", "xlsx", "docx"], dest="file_format"
        )
        parser.add_argument("--output", required=True, help="The file to write.")
        parser.add_argument("--draft", action="store_true", help="Render the return as it is now.")

    def handle(self, *args, system, round_name, file_format, output, draft, **options) -> None:
        round_ = (
            Round.objects.select_related("system", "framework")
            .filter(system__slug=system, name=round_name)
            .first()
        )
        if round_ is None:
            raise CommandError(f"System {system!r} has no round called {round_name!r}.")
        if draft:
            if not round_.is_agreed:
                raise CommandError("A return can be written only for an agreed round.")
            data = reports.return_data(round_)
            if file_format == "pdf":
                content = reports.html_to_pdf(reports.return_html(data))
            elif file_format == "docx":
                content = reports.return_docx(data)
            else:
                content = reports.return_xlsx(data)
            what = "draft"
        else:
            issued = latest_issued(round_)
            if issued is None:
                raise CommandError(
                    f"No return has been issued for {round_name!r}; use --draft for a draft."
                )
            content = bytes(getattr(issued, file_format))
            if not content:
                # The task worker builds an issued return's files after the issue; a return
                # issued before Word files were made gets its Word file queued now.
                documents.issued_document(issued=issued, fmt=file_format, requested_by=None)
                issued.refresh_from_db(fields=[file_format, "checksum"])
                content = bytes(getattr(issued, file_format))
            if not content:
                raise CommandError(
                    f"Version {issued.version} of the return is still being prepared by the task "
                    "worker; try again in a minute."
                )
            what = f"version {issued.version} (checksum {issued.checksum})"
        Path(output).write_bytes(content)
        self.stdout.write(
            f"Wrote the {what} return of {round_} to {output} ({len(content)} bytes)."
        )
