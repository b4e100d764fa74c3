"""The reference list of England's Health and Wellbeing Board (HWB) areas, as the portal ships it.

`fixtures/reference/hwb_areas.csv` holds one row per HWB area: the ONS code of its upper-tier
local authority (e.g. E10000018 Leicestershire), its name, its NHS England region (ONS code and
name) and, where the area lies in one, its integrated care board (ONS code and name). These are
facts from public sources, under the Open Government Licence: the ONS codes and names of the
upper-tier authorities of April 2023 (after Cumbria's split and the new unitary councils of
North Yorkshire and Somerset) and the NHS England regions and ICBs of April 2023, from public
copies of the ONS and NHS England lists (mySociety's local authority codes, 10 July 2025; the
RCPCH NHS organisations service's ICB tables, 31 August 2024), cross-checked against the House of
Commons Library's upper-tier authorities of 2023. The sources, their dates and how each ICB was
settled are in `fixtures/reference/README.md`.

The file is read once per process, when first asked for; nothing is stored in the database.
"""

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

AREAS_FILE = Path(settings.BASE_DIR) / "fixtures" / "reference" / "hwb_areas.csv"

# The seven NHS England regions (April 2023), by ONS code.
NHS_ENGLAND_REGIONS = {
    "E40000003": "London",
    "E40000005": "South East",
    "E40000006": "South West",
    "E40000007": "East of England",
    "E40000010": "North West",
    "E40000011": "Midlands",
    "E40000012": "North East and Yorkshire",
}


@dataclass(frozen=True)
class Area:
    """A Health and Wellbeing Board area. `icb_code` and `icb_name` are empty for an area that
    lies in more than one integrated care board (Essex, Hampshire, Surrey and a few more)."""

    code: str
    name: str
    region_code: str
    region_name: str
    icb_code: str
    icb_name: str


@functools.cache
def _areas_by_code() -> dict[str, Area]:
    with AREAS_FILE.open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    return {
        row["area_code"]: Area(
            code=row["area_code"],
            name=row["name"],
            region_code=row["region_code"],
            region_name=row["region_name"],
            icb_code=row["icb_code"],
            icb_name=row["icb_name"],
        )
        for row in rows
    }


def normalise_code(code) -> str:
    """An area code as the list spells it: no spaces around it, upper case."""
    return str(code or "").strip().upper()


def hwb_areas() -> list[Area]:
    """Every HWB area in the reference list, in order of ONS code."""
    return list(_areas_by_code().values())


def hwb_area(code: str) -> Area | None:
    """The HWB area with this ONS code (any case, spaces around it ignored), or None."""
    return _areas_by_code().get(normalise_code(code))
