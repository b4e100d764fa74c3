"""National-scale data: every system in England at the design size, for the benchmark.

The portal is designed for one instance serving about 150 systems in 9 regions, each with 15
partners, eight agreed rounds across the 2017 and 2020 editions of the model (joined by the
crosswalk), rounds in every other state, and an improvement plan of about 40 actions. This
package builds that data with bulk inserts, deterministically from a seed, so a benchmark always
measures the same thing.

Everything it makes is marked: system and region slugs start with `nat-`, and every address is
`...@national.example` (a reserved domain, so no e-mail reaches a person). Beside the national
systems it makes one small reference system (3 partners, 2 agreed rounds, 5 actions), seeded
last, so the benchmark can show that a page's query count does not grow with partners, rounds
or systems.

Bulk inserts skip `save()`, so no history rows are written for these objects; nothing in the
pages measured depends on them.

Modules: `shape` (how many of everything), `words` (the text), `context` (what the seeding of
every system shares), `seed` (systems, people and rounds), `ratings` (what happens in a round),
`plans` (improvement plans).
"""

from benchmarks.national.seed import seed_national
from benchmarks.national.shape import (
    ACTIONS_PER_PLAN,
    DOMAIN,
    PREFIX,
    REFERENCE_SLUG,
    NationalResult,
    address,
    national_present,
    national_systems,
)

__all__ = [
    "ACTIONS_PER_PLAN",
    "DOMAIN",
    "PREFIX",
    "REFERENCE_SLUG",
    "NationalResult",
    "address",
    "national_present",
    "national_systems",
    "seed_national",
]
