"""What a publish can fail with, and what a failed attempt still managed to do before it failed.

Every ChannelError carries `sent` and `unsure` (SMS numbers that already have the message, or
may have it) and `resume` (a token that lets the next attempt finish instead of starting over,
e.g. a Zalo article's verify token), so the worker folds them into a delivery's progress
without asking which transport raised.
"""

from __future__ import annotations

RESUME_WAIT = 30.0
"""Seconds before verifying again an article Zalo is still processing."""


class ChannelError(Exception):
    """Base for publishing failures; says what the attempt did before it failed."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        sent: tuple[str, ...] = (),
        unsure: tuple[str, ...] = (),
        resume: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.sent = sent
        self.unsure = unsure
        self.resume = resume


class TransientError(ChannelError):
    """A passing failure: try again later (after `retry_after` seconds when the service says)."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        status: int | None = None,
        sent: tuple[str, ...] = (),
        unsure: tuple[str, ...] = (),
        resume: str | None = None,
    ) -> None:
        super().__init__(message, status=status, sent=sent, unsure=unsure, resume=resume)
        self.retry_after = retry_after


class PermanentError(ChannelError):
    """A failure that retrying cannot fix (bad credentials, bad parameters, no route)."""


class HeldError(PermanentError):
    """The service blocked us for a while (Facebook 368): an operator must decide."""


class ConfigurationError(ValueError):
    """A target's settings cannot work with its transport."""


class Unconfirmed(TransientError):
    """The gateway may have taken the request but never said so (read timeout, odd 2xx)."""


class PartialTransientError(TransientError):
    """A passing failure after some batches went out: resend only to the numbers not in `sent`.

    `unsure` holds the batch whose answer never came (a read timeout): the gateway may have
    taken it, so an operator decides whether those numbers get the message again.
    """


class PartialPermanentError(PermanentError):
    """A failure retrying cannot fix, after some batches went out: `sent` already have it."""


class VerifyPending(TransientError):
    """Zalo took the article but gave no id yet: retry with `resume` (verify token), not create."""

    def __init__(
        self,
        message: str,
        *,
        resume: str,
        retry_after: float | None = RESUME_WAIT,
        status: int | None = None,
    ) -> None:
        super().__init__(message, retry_after=retry_after, status=status, resume=resume)


def partial(
    error: ChannelError, sent: tuple[str, ...], unsure: tuple[str, ...] = ()
) -> ChannelError:
    """`error` as is when nothing went out, else its Partial twin carrying who got the message."""
    if not sent and not unsure:
        return error
    note = f"{error} ({len(sent)} numbers already sent"
    note += f", {len(unsure)} unsure)" if unsure else ")"
    if isinstance(error, PermanentError):
        return PartialPermanentError(note, sent=sent, unsure=unsure, status=error.status)
    retry_after = error.retry_after if isinstance(error, TransientError) else None
    return PartialTransientError(
        note, sent=sent, unsure=unsure, retry_after=retry_after, status=error.status
    )
