"""The soak's verdict (`make soak`): lost writes, and the figures with errors put down to faults.

Every save answered with the redirect of success must be in the rating's history, and the rating
must hold the last of them (or a later save whose answer was lost to a fault). Errors while a
fault lasted, or just after, are counted apart: they are expected.
"""

import os
from collections import Counter
from dataclasses import asdict
from datetime import datetime

from benchmarks.soak_faults import Fault
from benchmarks.soak_load import Recorder, Request, Save, Unit

# Errors this long after a fault began (or, for the restart, ended) are put down to it.
FAULT_GRACE_SECONDS = 5.0


def lost_writes(saves: list[Save], units: list[Unit], run: str) -> list[str]:
    """Every save answered with success is in the rating's history, and the rating holds the
    last of them (or a later save whose answer was lost to a fault)."""
    from assessments.models import Rating

    history = set(
        Rating.history.filter(rationale__startswith=f"soak {run} ").values_list(
            "rationale", "partner_id", "change_id"
        )
    )
    current = {
        (rating.partner_id, rating.change_id): rating.rationale
        for rating in Rating.objects.filter(rationale__startswith=f"soak {run} ")
    }
    lost = []
    by_unit: dict[int, list[Save]] = {}
    for save in saves:
        by_unit.setdefault(save.unit, []).append(save)
    for index, attempts in by_unit.items():
        unit = units[index]
        attempts.sort(key=lambda save: save.sequence)
        succeeded = [position for position, save in enumerate(attempts) if save.status == 302]
        for position in succeeded:
            marker = attempts[position].marker
            if (marker, unit.partner_id, unit.change_id) not in history:
                lost.append(f"{marker}: not in the rating's history")
        if succeeded:
            since_last = {save.marker for save in attempts[succeeded[-1] :]}
            holds = current.get((unit.partner_id, unit.change_id))
            if holds not in since_last:
                lost.append(f"{attempts[succeeded[-1]].marker}: the rating holds {holds!r} instead")
    return lost


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def figures(
    out: Recorder,
    faults: list[Fault],
    lost: list[str],
    *,
    seconds: float,
    users: int,
    load: tuple[float, float, float],
) -> dict:
    load_requests = [r for r in out.requests if r.kind in ("form", "save", "read")]

    def fault_of(request: Request) -> str:
        # A request is put down to a fault when it failed while the fault lasted, or just after.
        failed = request.started + request.seconds
        for fault in faults:
            if fault.started <= failed <= fault.ended + FAULT_GRACE_SECONDS:
                return fault.what
        return ""

    errors = Counter(
        fault_of(request) or "other"
        for request in load_requests
        if request.status not in (200, 302)
    )

    def last_error_after(fault: Fault) -> float:
        """How long after the fault ended its last error came: how long recovery took."""
        ends = [
            request.started + request.seconds - fault.ended
            for request in load_requests
            if request.status not in (200, 302) and fault_of(request) == fault.what
        ]
        return round(max([0.0, *ends]), 1)

    saves = out.saves
    answered = [r.seconds for r in load_requests if r.status in (200, 302)]
    return {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "load_average_at_start": [round(value, 2) for value in load],
        "cpus": os.cpu_count(),
        "users": users,
        "seconds": round(seconds, 1),
        "requests": len(load_requests),
        "requests_per_second": round(len(load_requests) / seconds, 1) if seconds else 0,
        "reads": sum(1 for r in load_requests if r.kind in ("read", "form")),
        "saves_attempted": len(saves),
        "saves_succeeded": sum(1 for s in saves if s.status == 302),
        "conflicts": sum(1 for s in saves if s.status == 409),
        "errors": sum(errors.values()),
        "errors_at_worker_kill": errors.get("worker kill", 0),
        "errors_during_restart": errors.get("database restart", 0),
        "errors_other": errors.get("other", 0),
        "error_statuses": dict(
            Counter(str(r.status) for r in load_requests if r.status not in (200, 302))
        ),
        "p50_ms": round(percentile(answered, 0.50) * 1000),
        "p95_ms": round(percentile(answered, 0.95) * 1000),
        "max_ms": round(max(answered, default=0) * 1000),
        "faults": [
            {**asdict(fault), "last_error_after_end": last_error_after(fault)} for fault in faults
        ],
        "lost_writes": len(lost),
        "lost": lost[:50],
    }


def report(result: dict) -> str:
    lines = [
        f"Soak {result['date']}: {result['users']} users for {result['seconds']} s "
        f"(then {result.get('drain_seconds', 0)} s for the requests in flight), "
        f"load average at start {' '.join(map(str, result['load_average_at_start']))} "
        f"on {result['cpus']} CPUs",
        f"  requests          {result['requests']} ({result['requests_per_second']}/s): "
        f"{result['reads']} page reads, {result['saves_attempted']} draft saves",
        f"  saves succeeded   {result['saves_succeeded']} (conflicts {result['conflicts']})",
        f"  errors            {result['errors']}: {result['errors_at_worker_kill']} at the "
        f"worker kill, {result['errors_during_restart']} during the database restart, "
        f"{result['errors_other']} other {result['error_statuses'] or ''}",
        f"  latency           p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, "
        f"max {result['max_ms']} ms",
    ]
    for fault in result["faults"]:
        lines.append(
            f"  {fault['what']:17} from {fault['started']:.1f} s to {fault['ended']:.1f} s, "
            f"last error {fault['last_error_after_end']:.1f} s after"
            + (f" ({fault['note']})" if fault["note"] else "")
        )
    lines.append(f"  lost writes       {result['lost_writes']}")
    lines += [f"    {line}" for line in result["lost"]]
    return "\n".join(lines)
