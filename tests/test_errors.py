"""Channel errors: one module, and every error says what its failed attempt managed to do."""

from __future__ import annotations

import pytest

from channels.errors import (
    ChannelError,
    HeldError,
    PartialPermanentError,
    PartialTransientError,
    PermanentError,
    TransientError,
    Unconfirmed,
    VerifyPending,
)
from worker.engine.delivery import advance


@pytest.mark.parametrize(
    "error",
    [
        ChannelError("x"),
        TransientError("busy", retry_after=5),
        PermanentError("no", status=403),
        HeldError("blocked", status=400),
        Unconfirmed("no answer"),
    ],
)
def test_an_error_that_did_nothing_says_so_in_typed_attributes(error: ChannelError) -> None:
    assert (error.sent, error.unsure, error.resume) == ((), (), None)


def test_a_verify_pending_carries_its_token_as_resume_and_retries_later() -> None:
    error = VerifyPending("still processing", resume="tok")
    assert isinstance(error, TransientError)
    assert error.resume == "tok" and error.retry_after == 30.0
    assert "tok" not in str(error)


@pytest.mark.parametrize(
    ("progress", "error", "expected"),
    [
        ({}, None, {}),
        ({}, PermanentError("no route", status=403), {}),
        (
            {"sent": ["8491"]},
            PartialTransientError("busy", sent=("8492", "8491"), unsure=("8493",)),
            {"sent": ["8491", "8492"], "unsure": ["8493"]},
        ),
        ({}, PartialPermanentError("gone", sent=("8491",)), {"sent": ["8491"]}),
        (
            {"sent": ["8491"]},
            VerifyPending("wait", resume="tok"),
            {"sent": ["8491"], "resume": "tok"},
        ),
    ],
)
def test_advance_folds_what_any_channel_error_managed_into_progress(
    progress: dict[str, object], error: ChannelError | None, expected: dict[str, object]
) -> None:
    assert advance(progress, error) == expected
