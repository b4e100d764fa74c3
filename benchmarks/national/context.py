"""What every system's seeding shares, and the small helpers the seeding modules use."""

import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from assessments.models import Change, Framework, FrameworkVersion, Level
from benchmarks.national.shape import BATCH, address
from benchmarks.national.words import (
    CONTEXT_SENTENCES,
    FIRST_NAMES,
    LAST_NAMES,
    LEVEL_SENTENCES,
    PLACE_ENDS,
    PLACE_STARTS,
)

User = get_user_model()


def place_names(rng: random.Random, count: int) -> list[str]:
    names = [start + end for start in PLACE_STARTS for end in PLACE_ENDS]
    rng.shuffle(names)
    if count > len(names):
        names += [f"{names[i % len(names)]} {i // len(names) + 1}" for i in range(count)]
    return names[:count]


class Context:
    """What every system's seeding shares: the seed, the frameworks, the password hash."""

    def __init__(self, seed: int, password_hash: str):
        self.rng = random.Random(seed)
        self.password_hash = password_hash
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.frameworks = {
            key: Framework.objects.get(key=key) for key in ("mtoc-2017", "mtoc-2020")
        }
        # Rounds that have opened are pinned to the wording they opened with, as the portal
        # pins them (`Round.framework_version`); drafts follow the newest.
        self.versions = {
            key: FrameworkVersion.objects.filter(framework=fw).order_by("-number").first()
            for key, fw in self.frameworks.items()
        }
        self.levels = {
            key: {level.number: level for level in Level.objects.filter(framework=fw)}
            for key, fw in self.frameworks.items()
        }
        self.changes = {
            key: list(Change.objects.filter(framework=fw, archived=False).order_by("position"))
            for key, fw in self.frameworks.items()
        }
        self.counts: dict[str, int] = {}

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def at(self, day: date, hour: int = 10) -> datetime:
        return timezone.make_aware(datetime(day.year, day.month, day.day, hour))

    def rationale(self, level: int) -> str:
        rng = self.rng
        own = rng.sample(LEVEL_SENTENCES[level], rng.randint(2, 4))
        context = rng.sample(CONTEXT_SENTENCES, rng.randint(1, 2))
        return " ".join(own + context)

    def bulk(self, model, objects: list) -> list:
        if objects:
            model.objects.bulk_create(objects, batch_size=BATCH)
            name = model._meta.label
            self.counts[name] = self.counts.get(name, 0) + len(objects)
        return objects


def slug_of(text: str) -> str:
    return "-".join(text.lower().replace(",", "").split())


def make_user(context: Context, local: str) -> "User":
    rng = context.rng
    return User(
        email=address(local),
        full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
        password=context.password_hash,
        date_joined=context.now,
    )


@dataclass
class People:
    facilitator: object
    steering: list
    members_by_partner: dict[int, list]


def clamp(number: int) -> int:
    return max(1, min(5, number))
