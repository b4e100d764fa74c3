"""Write the framework spreadsheet: the empty template, or a framework YAML file as the
spreadsheet the library's "Download as spreadsheet" gives.

Why: a site administrator adds a model by filling in the template and uploading it in the
framework library; this writes the same template from the command line, and turns a framework
file into a spreadsheet without loading it (how fixtures/frameworks/examples/*.xlsx are made).
It writes only the file named, never the database.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.framework_loader import FrameworkFileError, read_framework_file
from assessments.framework_spreadsheet import template_bytes, workbook_bytes


class Command(BaseCommand):
    help = "Write the empty framework spreadsheet template, or a framework YAML file as one."

    def add_arguments(self, parser) -> None:
        parser.add_argument("output", help="The .xlsx file to write.")
        parser.add_argument(
            "--from", dest="source", help="A framework YAML file to write as the spreadsheet."
        )

    def handle(self, *args, output: str, source: str | None, **options) -> None:
        if not output.lower().endswith(".xlsx"):
            raise CommandError("The output file's name must end in .xlsx")
        if source:
            try:
                content = workbook_bytes(read_framework_file(Path(source)))
            except FrameworkFileError as error:
                raise CommandError(f"Nothing was written. {error}") from error
        else:
            content = template_bytes()
        Path(output).write_bytes(content)
        self.stdout.write(f"Wrote {output}")
