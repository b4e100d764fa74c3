"""How long and how hard a run measures: the defaults, and `--quick`."""

from dataclasses import dataclass


@dataclass
class Options:
    systems: int = 150  # seeded when the national data is absent
    seed: int = 1
    samples: int = 30  # requests a page, served alone
    seconds: int = 5  # of throughput a page
    concurrency: int = 8  # users asking at once for throughput
    deadline_seconds: int = 120
    members: int = 30  # partner members saving drafts on deadline day
    readers: int = 10  # facilitators and steering members reading
    pdf_renders: int = 3

    @classmethod
    def quick(cls) -> "Options":
        """A smoke run: 3 systems when seeding, fewer samples, 15 s of deadline day."""
        return cls(systems=3, samples=10, seconds=2, deadline_seconds=15, pdf_renders=1)

    def problems(self) -> list[str]:
        numbers = {
            "--systems": self.systems,
            "--samples": self.samples,
            "--seconds": self.seconds,
            "--concurrency": self.concurrency,
            "--deadline-seconds": self.deadline_seconds,
        }
        return [f"{name} must be at least 1" for name, value in numbers.items() if value < 1]
