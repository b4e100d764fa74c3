"""State changes from reveal to agreement: one function per user action, each transactional.

Every function checks permission and state, leaves an AuditEvent (who, when, what), and sends
the e-mail its step calls for. Decisions lock the round's row, so two approvals racing at the
quorum boundary make exactly one transition to agreed.
"""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from assessments.framework_content import content_for_round
from assessments.models import (
    Change,
    Comment,
    Consensus,
    Decision,
    Dissent,
    Level,
    Member,
    Partner,
    PartnerReturn,
    Round,
    SystemRole,
)
from assessments.round_services import audit
from hicm_portal.notify import notify, portal_link

NOT_REVIEW = "This round is not in review, so proposals cannot change."
NOT_APPROVAL = "This round is not waiting for approval."
MISSING_NEEDS_CONFIRMATION = (
    "Some partners have not submitted. Confirm that you want to reveal the round without them."
)
ALREADY_DECIDED = "You have already decided on this proposal."
NOT_WAITING = "This proposal is not waiting for a decision."
NOTHING_TO_APPROVE = "There are no proposals waiting for your decision."
PROPOSALS_CHANGED = (
    "The proposals waiting for you changed while you were reading them. Check them again."
)
NOT_RETURNED = "This round is waiting for approval: only a returned proposal can be proposed again."
LOCKED = "This round is agreed, so nothing in it can change."


def _locked_round(round_: Round) -> Round:
    locked = Round.objects.select_for_update().get(pk=round_.pk)
    round_.status = locked.status
    return locked


def _everyone(round_: Round) -> list[str]:
    """The people a round's milestones are announced to: members of the partners taking part,
    facilitators and steering committee members."""
    members = Member.objects.filter(
        partner__returns__round=round_, user__is_active=True
    ).values_list("user__email", flat=True)
    roles = SystemRole.objects.filter(system=round_.system, user__is_active=True).values_list(
        "user__email", flat=True
    )
    return sorted(set(members) | set(roles))


def _role_emails(round_: Round, role: str) -> list[str]:
    return sorted(
        SystemRole.objects.filter(system=round_.system, role=role, user__is_active=True)
        .values_list("user__email", flat=True)
        .distinct()
    )


def _mail(round_: Round, recipients: list[str], subject: str, template: str, **context) -> None:
    notify(
        to=recipients,
        subject=subject,
        template=template,
        context={
            "round": round_,
            "round_link": portal_link(reverse("round_detail", args=[round_.public_id])),
            **context,
        },
    )


@transaction.atomic
def round_reveal(*, round_: Round, revealed_by, confirm_missing: bool = False) -> list[Partner]:
    """Reveal every partner's ratings side by side. Returns the partners that had not
    submitted, who are recorded as missing; revealing without them needs confirmation."""
    if not revealed_by.has_perm("assessments.reveal_round", round_):
        raise PermissionDenied
    locked = _locked_round(round_)
    if locked.status != Round.Status.RATING:
        raise ValidationError("This round is not in rating.")
    missing_returns = list(
        PartnerReturn.objects.filter(round=locked, submitted_at=None).select_related("partner")
    )
    if missing_returns and not confirm_missing:
        raise ValidationError(MISSING_NEEDS_CONFIRMATION, code="confirm_missing")
    PartnerReturn.objects.filter(pk__in=[r.pk for r in missing_returns]).update(
        missing_at_reveal=True
    )
    locked.status = Round.Status.REVIEW
    locked.revealed_at = timezone.now()
    locked.revealed_by = revealed_by
    locked.save(update_fields=["status", "revealed_at", "revealed_by"])
    missing = [r.partner for r in missing_returns]
    detail = (
        "Returns missing: " + ", ".join(p.name for p in missing) if missing else "All returns in."
    )
    audit(locked, revealed_by, "Revealed the ratings", detail)
    _mail(
        locked,
        _everyone(locked),
        f"{locked.name}: the review is open",
        "review_open",
        review_link=portal_link(reverse("review", args=[locked.public_id])),
        missing=missing,
    )
    round_.status = locked.status
    return missing


@transaction.atomic
def comment_post(*, round_: Round, change: Change, author, text: str) -> Comment:
    if not author.has_perm("assessments.comment", round_):
        raise PermissionDenied
    if not text.strip():
        raise ValidationError({"text": "Enter your comment"})
    return Comment.objects.create(round=round_, change=change, author=author, text=text.strip())


@transaction.atomic
def comment_edit(*, comment: Comment, editor, text: str) -> Comment:
    """Authors edit their own comments while the round is under discussion; the earlier text
    stays in the comment's history."""
    if comment.author_id != editor.pk or not editor.has_perm("assessments.comment", comment.round):
        raise PermissionDenied
    if not text.strip():
        raise ValidationError({"text": "Enter your comment"})
    comment.text = text.strip()
    comment.edited_at = timezone.now()
    comment.save(update_fields=["text", "edited_at"])
    return comment


class ProposalConflict(Exception):
    """Another facilitator changed the proposal after this form was loaded."""

    def __init__(self, saved: Consensus):
        super().__init__("The proposal was changed by someone else")
        self.saved = saved


@dataclass
class ProposalInput:
    level: Level
    rationale: str
    planned_level: Level | None
    planned_by: date | None
    challenges: str = ""
    milestones: str = ""
    support_needs: str = ""
    dissent: dict[int, str] = field(default_factory=dict)  # partner id -> note


PLANNED_BELOW_AGREED = "The planned level must be the same as or above the agreed level"


def planned_below_agreed(level: Level, planned_level: Level | None) -> bool:
    """The one rule of a planned level: never below the agreed one (proposals here, and rounds
    recorded afterwards in `history_services`)."""
    return planned_level is not None and planned_level.number < level.number


def check_proposal(data: ProposalInput, suggested: int | None) -> None:
    """The rules a proposal must meet, named by field."""
    errors: dict[str, str] = {}
    differs = suggested is not None and data.level.number != suggested
    if (differs or data.level.needs_evidence) and not data.rationale.strip():
        errors["rationale"] = (
            f"Enter the rationale: it is needed when {data.level.name} is proposed"
            if data.level.needs_evidence
            else "Enter the rationale: it is needed when the level differs from the suggested one"
        )
    if data.planned_level is None:
        errors["planned_level"] = "Select the planned level"
    elif planned_below_agreed(data.level, data.planned_level):
        errors["planned_level"] = PLANNED_BELOW_AGREED
    if data.planned_level is not None and data.planned_level.number > data.level.number:
        if data.planned_by is None:
            errors["planned_by"] = "Enter the date by which the planned level will be reached"
        elif data.planned_by <= timezone.localdate():
            errors["planned_by"] = "The planned date must be in the future"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def consensus_propose(
    *,
    round_: Round,
    change: Change,
    data: ProposalInput,
    proposed_by,
    expected_version: int,
    suggested: int | None,
) -> Consensus:
    """The facilitator proposes (or changes) the agreed level of one change.

    `expected_version` is the proposal version the form showed (0 for none). A newer saved
    version raises ProposalConflict; any change to an existing proposal clears its approvals.
    While the round waits for approval only a returned proposal may be proposed again; it goes
    straight back to the steering committee, who are told.
    """
    in_review = proposed_by.has_perm("assessments.propose", round_)
    if not in_review and not proposed_by.has_perm("assessments.propose_again", round_):
        raise PermissionDenied
    locked = _locked_round(round_)
    if locked.status == Round.Status.APPROVAL:
        returned = Consensus.objects.filter(
            round=locked, change=change, state=Consensus.State.RETURNED
        ).exists()
        if not returned:
            raise ValidationError(NOT_RETURNED)
    elif locked.status != Round.Status.REVIEW:
        raise ValidationError(NOT_REVIEW)
    if change.framework_id != locked.framework_id:
        raise ValidationError("This change is not part of the round.")
    for level in (data.level, data.planned_level):
        if level is not None and level.framework_id != locked.framework_id:
            raise ValidationError({"level": "Select a level of this round's framework"})
    check_proposal(data, suggested)
    partner_ids = set(PartnerReturn.objects.filter(round=locked).values_list("partner", flat=True))
    if set(data.dissent) - partner_ids:
        raise ValidationError("Dissent can be recorded only for partners taking part.")
    consensus = Consensus.objects.select_for_update().filter(round=locked, change=change).first()
    current = consensus.version if consensus else 0
    if current != expected_version:
        raise ProposalConflict(consensus)
    if consensus is None:
        consensus = Consensus(round=locked, change=change, version=0)
    fields = {
        "level": data.level,
        "rationale": data.rationale.strip(),
        "planned_level": data.planned_level,
        "planned_by": data.planned_by,
        "challenges": data.challenges.strip(),
        "milestones": data.milestones.strip(),
        "support_needs": data.support_needs.strip(),
    }
    old_dissent = {d.partner_id: d.note for d in consensus.dissents.all()} if consensus.pk else {}
    new_dissent = {pid: note.strip() for pid, note in data.dissent.items() if note.strip()}
    unchanged = (
        consensus.pk is not None
        and all(getattr(consensus, name) == value for name, value in fields.items())
        and old_dissent == new_dissent
        and consensus.state != Consensus.State.RETURNED
    )
    if unchanged:
        return consensus
    for name, value in fields.items():
        setattr(consensus, name, value)
    consensus.version += 1
    consensus.state = Consensus.State.PROPOSED
    consensus.approved_at = None
    consensus.proposed_by = proposed_by
    consensus.proposed_at = timezone.now()
    consensus.full_clean()
    consensus.save()
    Dissent.objects.filter(consensus=consensus).exclude(partner__in=new_dissent).delete()
    for partner_id, note in new_dissent.items():
        Dissent.objects.update_or_create(
            consensus=consensus, partner_id=partner_id, defaults={"note": note}
        )
    verb = "Proposed" if current == 0 else "Changed the proposal for"
    audit(
        locked,
        proposed_by,
        f"{verb} {change.code}",
        f"Level {data.level}; planned {data.planned_level}"
        + (f" by {data.planned_by:%d %B %Y}" if data.planned_by else "")
        + (f"; dissent from {len(new_dissent)} partner(s)" if new_dissent else ""),
    )
    if locked.status == Round.Status.APPROVAL:
        _mail(
            locked,
            _role_emails(locked, SystemRole.Role.STEERING),
            f"{locked.name}: change {change.code} has a new proposal for your decision",
            "proposal_renewed",
            change=change,
            level=data.level,
            approval_link=portal_link(
                reverse("approval", args=[locked.public_id]) + f"#change-{change.code}"
            ),
        )
    return consensus


@transaction.atomic
def attendance_record(*, round_: Round, recorded_by, attendees, note: str) -> None:
    """Who took part in the consensus workshop, recorded while the round is in review."""
    if not recorded_by.has_perm("assessments.propose", round_):
        raise PermissionDenied
    # The state is checked here as well as in the permission: the workshop is part of the
    # record of an agreed round, frozen like the rest of it.
    if _locked_round(round_).status != Round.Status.REVIEW:
        raise ValidationError(NOT_REVIEW)
    round_.attendees.set(attendees)
    round_.attendance_note = note.strip()
    round_.save(update_fields=["attendance_note"])
    audit(round_, recorded_by, "Recorded workshop attendance", f"{len(attendees)} people")


@transaction.atomic
def round_submit_for_approval(*, round_: Round, submitted_by) -> Round:
    """Send every proposal to the steering committee once every change has one."""
    if not submitted_by.has_perm("assessments.submit_for_approval", round_):
        raise PermissionDenied
    locked = _locked_round(round_)
    if locked.status != Round.Status.REVIEW:
        raise ValidationError(NOT_REVIEW)
    live = content_for_round(locked).live_changes
    proposed = set(Consensus.objects.filter(round=locked).values_list("change_id", flat=True))
    missing = [c.code for c in live if c.pk not in proposed]
    if missing:
        raise ValidationError(
            "Propose a level for every change first. Still to propose: " + ", ".join(missing)
        )
    returned = Consensus.objects.filter(round=locked, state=Consensus.State.RETURNED)
    if returned.exists():
        codes = ", ".join(c.change.code for c in returned.select_related("change"))
        raise ValidationError(f"Change the returned proposals first: {codes}")
    locked.status = Round.Status.APPROVAL
    locked.submitted_for_approval_at = timezone.now()
    locked.save(update_fields=["status", "submitted_for_approval_at"])
    audit(locked, submitted_by, "Submitted for approval")
    _mail(
        locked,
        _role_emails(locked, SystemRole.Role.STEERING),
        f"{locked.name}: agreed levels are ready for your approval",
        "ready_for_approval",
        approval_link=portal_link(reverse("approval", args=[locked.public_id])),
    )
    round_.status = locked.status
    return locked


@transaction.atomic
def decision_record(
    *, round_: Round, change: Change, decided_by, kind: str, reason: str = ""
) -> Decision:
    """A steering committee member approves or returns one proposal.

    Approvals reaching the round's quorum approve the change; when every change is approved
    the round is agreed, locked, and everyone is told. A return needs a reason and sends that
    change alone back for a new proposal (its approvals cleared, the facilitators told); the
    round stays in approval, so the other changes keep their approvals and stay decidable.
    """
    if not decided_by.has_perm("assessments.decide", round_):
        raise PermissionDenied
    locked = _locked_round(round_)  # serialises decisions: one transition to agreed
    _check_in_approval(locked)
    consensus = Consensus.objects.select_for_update().get(round=locked, change=change)
    decision = _decide(locked, consensus, change, decided_by=decided_by, kind=kind, reason=reason)
    if consensus.state == Consensus.State.APPROVED:
        _agree_if_complete(locked)
    round_.status = locked.status
    return decision


@transaction.atomic
def decisions_approve_all(*, round_: Round, decided_by, versions: dict[str, int]) -> list[Decision]:
    """A steering committee member approves, in one step, every proposal they have not yet
    decided on.

    `versions` (change code → proposal version) is what the confirmation page listed: every
    change still waiting for this person must be in it at the version shown, so nobody approves
    a proposal they have not seen (a returned change proposed again meanwhile is refused here,
    with nothing approved). Each approval follows `decision_record`'s rule (`_decide`); the
    round is agreed once, at the end, if every change is then approved.
    """
    if not decided_by.has_perm("assessments.decide", round_):
        raise PermissionDenied
    locked = _locked_round(round_)
    _check_in_approval(locked)
    decided = Decision.objects.filter(
        consensus__round=locked, decided_by=decided_by, proposal_version=F("consensus__version")
    ).values("consensus_id")
    waiting = list(
        Consensus.objects.select_for_update(of=("self",))
        .filter(
            round=locked,
            state=Consensus.State.PROPOSED,
            change__in=[change.pk for change in content_for_round(locked).live_changes],
        )
        .exclude(pk__in=decided)
        .select_related("change")
        .order_by("change__position")
    )
    if not waiting:
        raise ValidationError(NOTHING_TO_APPROVE)
    if any(versions.get(c.change.code) != c.version for c in waiting):
        raise ValidationError(PROPOSALS_CHANGED)
    decisions = [
        _decide(
            locked, consensus, consensus.change, decided_by=decided_by, kind=Decision.Kind.APPROVE
        )
        for consensus in waiting
    ]
    audit(
        locked,
        decided_by,
        "Approved every remaining change",
        ", ".join(c.change.code for c in waiting),
    )
    if any(c.state == Consensus.State.APPROVED for c in waiting):
        _agree_if_complete(locked)
    round_.status = locked.status
    return decisions


def _check_in_approval(locked: Round) -> None:
    if locked.status != Round.Status.APPROVAL:
        raise ValidationError(LOCKED if locked.status == Round.Status.AGREED else NOT_APPROVAL)


def _decide(
    locked: Round, consensus: Consensus, change: Change, *, decided_by, kind: str, reason: str = ""
) -> Decision:
    """The one rule of a decision on one proposal (`consensus` of `change`, locked, in the
    locked round): it must be waiting, and this person must not have decided on its version; a
    return sends the change alone back for a new proposal, an approval reaching the quorum
    approves it. The caller agrees the round when every change is approved."""
    if consensus.state != Consensus.State.PROPOSED:
        raise ValidationError(NOT_WAITING)
    if Decision.objects.filter(
        consensus=consensus, proposal_version=consensus.version, decided_by=decided_by
    ).exists():
        raise ValidationError(ALREADY_DECIDED)
    if kind == Decision.Kind.RETURN and not reason.strip():
        raise ValidationError({"reason": "Enter the reason for returning this proposal"})
    decision = Decision.objects.create(
        consensus=consensus,
        proposal_version=consensus.version,
        decided_by=decided_by,
        kind=kind,
        reason=reason.strip(),
    )
    if kind == Decision.Kind.RETURN:
        consensus.state = Consensus.State.RETURNED
        consensus.version += 1  # clears its approvals
        consensus.save(update_fields=["state", "version"])
        audit(locked, decided_by, f"Returned {change.code} for a new proposal", reason.strip())
        _mail(
            locked,
            _role_emails(locked, SystemRole.Role.FACILITATOR),
            f"{locked.name}: change {change.code} was returned for a new proposal",
            "proposal_returned",
            change=change,
            decided_by=decided_by,
            reason=reason.strip(),
            review_link=portal_link(reverse("propose", args=[locked.public_id, change.code])),
        )
        return decision
    audit(locked, decided_by, f"Approved {change.code}", f"Proposal version {consensus.version}")
    approvals = Decision.objects.filter(
        consensus=consensus, proposal_version=consensus.version, kind=Decision.Kind.APPROVE
    ).count()
    if approvals >= locked.quorum:
        consensus.state = Consensus.State.APPROVED
        consensus.approved_at = timezone.now()
        consensus.save(update_fields=["state", "approved_at"])
        audit(locked, None, f"{change.code} approved", f"{approvals} approval(s)")
    return decision


def _agree_if_complete(locked: Round) -> None:
    live = [change.pk for change in content_for_round(locked).live_changes]
    approved = Consensus.objects.filter(
        round=locked, state=Consensus.State.APPROVED, change__in=live
    ).count()
    if approved < len(live):
        return
    locked.status = Round.Status.AGREED
    locked.agreed_at = timezone.now()
    locked.save(update_fields=["status", "agreed_at"])
    audit(locked, None, "Round agreed", "Every change approved by the steering committee")
    _mail(
        locked,
        _everyone(locked),
        f"{locked.name} is agreed",
        "round_agreed",
        agreed_link=portal_link(reverse("agreed", args=[locked.public_id])),
    )
