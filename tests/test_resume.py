"""A retried delivery resumes from its stored progress, read into a typed Message.resume."""

from __future__ import annotations

from typing import Any

import pytest

from channels.base import Message, Resume
from channels.errors import PartialTransientError, VerifyPending
from worker.engine.delivery import advance, resume, resume_of

SMS = Message(
    kind="sms",
    title="t",
    text="t",
    body={"text": "t"},
    recipients=("84912000001", "84912000002", "84912000003", "84912000004"),
)


@pytest.mark.parametrize(
    ("progress", "expected"),
    [
        ({}, None),
        ({"sent": ["84912000001"]}, Resume(sent=("84912000001",))),
        ({"unsure": ["84912000002"]}, Resume(unsure=("84912000002",))),
        ({"resume": "tok"}, Resume(verify_token="tok")),
        (
            {"sent": ["84912000001"], "unsure": ["84912000002"], "resume": "tok"},
            Resume(("84912000001",), ("84912000002",), "tok"),
        ),
    ],
)
def test_stored_progress_reads_as_a_typed_resume(
    progress: dict[str, Any], expected: Resume | None
) -> None:
    assert resume_of(progress) == expected


def test_a_resumed_sms_goes_only_to_numbers_neither_sent_nor_unsure() -> None:
    resumed = resume(SMS, {"sent": ["84912000001"], "unsure": ["84912000003"]})
    assert resumed.recipients == ("84912000002", "84912000004")
    assert resumed.resume == Resume(sent=("84912000001",), unsure=("84912000003",))
    assert resumed.body == SMS.body


def test_a_first_attempt_has_nothing_to_resume() -> None:
    assert resume(SMS, {}) is SMS


def test_progress_keeps_its_stored_keys_across_attempts() -> None:
    first = advance({}, PartialTransientError("busy", sent=("84912000001",)))
    second = advance(first, VerifyPending("wait", resume="tok"))
    assert second == {"sent": ["84912000001"], "resume": "tok"}  # the JSON in deliveries.progress
    assert resume_of(second) == Resume(sent=("84912000001",), verify_token="tok")
