"""Helpers for the wording-version tests (no tests of their own).

- `load_new_wording(tmp_path, ...)`: load the shipped 2020 framework file again with a higher
  version and change 1 retitled, as an administrator refreshing the library would.
- `open_draft_round(cast, framework)`: a draft round of `cast.system` with both partners,
  opened through the service, as a facilitator would.
- `rate_the_rounds_changes(round_, partner, user)`: a complete rating of the changes the
  round takes in its own wording version (not the framework's newest).
"""

import re
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from assessments.framework_content import content_for_round
from assessments.framework_loader import load_framework_files
from assessments.models import Framework, PartnerReturn, Round
from assessments.round_services import (
    RatingInput,
    RoundDetails,
    rating_save,
    round_create,
    round_open,
)

OLD_TITLE = "Early discharge planning"
NEW_TITLE = "Planning for going home from the first day"


def load_new_wording(folder: Path, *, title: str = NEW_TITLE, extra_change: str = "") -> Framework:
    """Load mtoc-2020 again from a copy of its file with the version raised by one and change 1
    retitled (and `extra_change`, YAML of one more change, appended to its changes)."""
    framework = Framework.objects.get(key="mtoc-2020")
    text = (Path(settings.BASE_DIR) / "fixtures/frameworks/mtoc-2020.yaml").read_text("utf-8")
    text = re.sub(r"^version: \d+$", f"version: {framework.version + 1}", text, flags=re.M)
    text = text.replace(f'title: "{OLD_TITLE}"', f'title: "{title}"')
    if extra_change:
        text = text.replace("\nchanges:\n", "\nchanges:\n" + extra_change, 1)
    path = folder / "mtoc-2020.yaml"
    path.write_text(text, encoding="utf-8")
    load_framework_files([path])
    return Framework.objects.get(key="mtoc-2020")


def open_draft_round(cast, framework, *, name: str = "2026/27 Q3") -> Round:
    today = timezone.localdate()
    round_ = round_create(
        system=cast.system,
        details=RoundDetails(
            name=name,
            framework=framework,
            partners=[cast.partner, cast.other_partner],
            opens_on=today,
            closes_on=today + timedelta(days=14),
            quorum=1,
        ),
        created_by=cast.facilitator,
    )
    return round_open(round_=round_, opened_by=cast.facilitator)


def rate_the_rounds_changes(round_, partner, user, *, level_number: int = 3):
    """A complete rating of every change the round takes (in its own version), as `user`."""
    partner_return = PartnerReturn.objects.select_related("round", "partner").get(
        round=round_, partner=partner
    )
    level = round_.framework.levels.get(number=level_number)
    for change in content_for_round(round_).live_changes:
        rating_save(
            partner_return=partner_return,
            change=change,
            data=RatingInput(
                level=level, rationale=f"Seen ({change.code})", evidence=[], confidence="medium"
            ),
            saved_by=user,
            expected_version=0,
        )
    return partner_return
