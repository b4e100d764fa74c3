"""Importing past returns: the levels half, and the reading of the file.

A system starting with the portal has years of High Impact Change Model levels in its BCF
returns. A file of them (CSV, or .xlsx with a sheet `levels` and an optional sheet
`investments`; README, "Administration and imports") becomes one round recorded afterwards per
area and period. `files` opens the file through `hicm_portal.uploads` and gives each sheet's
records numbered as the spreadsheet numbers them; `lookups` finds what the file names (systems,
areas, frameworks, changes, levels) in a few queries; `levels` checks the levels sheet against the
portal, collecting every problem by row and column; `record` writes the checked rounds through
the services the forms use.

Investments belong to improvement plans, which this app does not import (DESIGN §5), so the
whole import (levels and investments, previewed, then all of it or none) is put together in
`improvement_plans.history_import`, with the command `import_returns` and the pages.
"""

from assessments.history_import.files import (
    INVESTMENTS_SHEET,
    LEVELS_SHEET,
    NO_LEVELS_SHEET,
    Columns,
    Problem,
    Record,
    ReturnsFile,
    check_headings,
    open_returns_file,
    records,
)
from assessments.history_import.levels import (
    LEVEL_COLUMNS,
    LEVEL_OPTIONAL_COLUMNS,
    LevelsReader,
    PlannedLevel,
    PlannedRound,
)
from assessments.history_import.lookups import FrameworkLookup, Place, Places
from assessments.history_import.record import approval_note, past_rounds_record

__all__ = [
    "INVESTMENTS_SHEET",
    "LEVELS_SHEET",
    "LEVEL_COLUMNS",
    "LEVEL_OPTIONAL_COLUMNS",
    "NO_LEVELS_SHEET",
    "Columns",
    "FrameworkLookup",
    "LevelsReader",
    "Place",
    "Places",
    "PlannedLevel",
    "PlannedRound",
    "Problem",
    "Record",
    "ReturnsFile",
    "approval_note",
    "check_headings",
    "open_returns_file",
    "past_rounds_record",
    "records",
]
