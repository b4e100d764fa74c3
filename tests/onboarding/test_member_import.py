"""The admin's member import (memberships alone) tells each person once too, naming every
partner the file put them in."""

import pytest
import tablib
from django.core import mail

from assessments.resources import MemberResource

pytestmark = pytest.mark.django_db


def test_a_person_who_can_log_in_gets_one_e_mail_naming_both_partners(
    cast, django_capture_on_commit_callbacks
):
    dataset = tablib.Dataset(
        ["nobody@test.example", "Noa Nobody", "testshire", "Testshire Hospitals"],
        ["nobody@test.example", "Noa Nobody", "testshire", "Testshire Council"],
        headers=["email", "full_name", "system", "partner"],
    )

    with django_capture_on_commit_callbacks(execute=True):
        result = MemberResource().import_data(
            dataset, dry_run=False, user=cast.admin, rollback_on_validation_errors=True
        )

    assert not result.has_errors() and not result.has_validation_errors()
    [told] = [message for message in mail.outbox if message.to == ["nobody@test.example"]]
    assert told.subject == "You have new roles in HICM Portal"
    assert "- Partner member of Testshire Hospitals, in Testshire\n" in told.body
    assert "- Partner member of Testshire Council, in Testshire\n" in told.body


def test_a_preview_of_the_member_import_tells_nobody(cast, django_capture_on_commit_callbacks):
    dataset = tablib.Dataset(
        ["nobody@test.example", "Noa Nobody", "testshire", "Testshire Hospitals"],
        headers=["email", "full_name", "system", "partner"],
    )

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        MemberResource().import_data(dataset, dry_run=True, user=cast.admin)

    assert callbacks == []
    assert mail.outbox == []
    assert not cast.nobody.memberships.exists()
