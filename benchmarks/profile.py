"""CPU time of each key page built in this process, against the baseline page.

    python -m benchmarks.profile [--runs N] [--page KEY] [--top N]

Why: gunicorn's figures move with whatever else the machine is doing. The CPU time this
process spends building a page (time.process_time, median of N requests through Django's
test client, the pages taken in turn) is steadier, so it is the figure to watch while making
a page cheaper. `--page KEY` also prints the functions the page spends its time in (cProfile,
by cumulative time). It uses the benchmark's database (seeded when absent, 3 systems unless
--systems says otherwise) and the first national system's people, as `make bench` does.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile")
    parser.add_argument("--runs", type=int, default=30, help="Requests a page (30).")
    parser.add_argument("--page", help="Profile this page (a key, e.g. review).")
    parser.add_argument("--top", type=int, default=35, help="Functions shown with --page (35).")
    parser.add_argument("--systems", type=int, default=3, help="Systems to seed when absent (3).")
    arguments = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hicm_portal.settings")
    import django

    django.setup()
    from benchmarks import inprocess, prepare, targets

    prepare.prepare_database(systems=arguments.systems, seed=1, say=print)
    target = targets.targets()[0]
    sessions = targets.Sessions()
    try:
        pages = []  # (key, path, cookie)
        with inprocess.in_process():
            for page in targets.PAGES:
                if page.pdf or not (page.key_page or page.key == targets.BASELINE):
                    continue
                path, _, note = targets.page_url(page, target)
                if not path:
                    print(f"{page.key}: skipped ({note})")
                    continue
                cookie = sessions.cookie(targets.user_for(page, target))
                inprocess.get(path, cookie)  # warm: framework content, roles, templates
                pages.append((page.key, path, cookie))
                if page.key == arguments.page:
                    show_profile(path, cookie, arguments.top)
            times = cpu_ms(pages, arguments.runs)
        rows = [(key, statistics.median(times[key])) for key, _, _ in pages]
        baseline = dict(rows)[targets.BASELINE]
        print(f"\n{'page':<16}{'CPU ms':>8}{'x baseline':>12}")
        for key, ms in rows:
            print(f"{key:<16}{ms:>8.1f}{ms / baseline:>12.1f}")
    finally:
        sessions.delete()
    return 0


def cpu_ms(pages: list[tuple[str, str, str]], runs: int) -> dict[str, list[float]]:
    """CPU milliseconds of each request, page by page in turn for `runs` rounds, so that the
    machine's other work falls on every page alike."""
    from benchmarks import inprocess

    times: dict[str, list[float]] = {key: [] for key, _, _ in pages}
    for _ in range(runs):
        for key, path, cookie in pages:
            started = time.process_time()
            response = inprocess.get(path, cookie)
            times[key].append((time.process_time() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
    return times


def show_profile(path: str, cookie: str, top: int) -> None:
    from benchmarks import inprocess

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(10):
        inprocess.get(path, cookie)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(top)


if __name__ == "__main__":
    sys.exit(main())
