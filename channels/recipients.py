"""Who an SMS goes to: per-unit CSV lists checked as Vietnamese mobiles, minus the opt-outs.

Numbers are kept as `84` + 9 digits (E.164 without the `+`): the form Kannel passes to an
SMSC unchanged and gateways accept, one spelling per phone so dedupe and opt-out compare
equal. `local_vn` gives the `0…` form for APIs whose docs show it (eSMS).
"""

from __future__ import annotations

import csv
import functools
import io
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from campaigns.i18n import t
from campaigns.model import Target
from channels import messages

assert messages.MESSAGES  # what is wrong with a list is told from the catalogue
LISTS = {"recipient": "list.recipient", "opt-out": "list.optout"}

log = logging.getLogger(__name__)

MOBILE_LEADS = frozenset("35789")
"""The digit after the trunk 0 on Vietnamese mobile numbers (03x, 05x, 07x, 08x, 09x)."""
_SEPARATORS = re.compile(r"[\s.\-()]")


class RecipientsError(ValueError):
    """A recipient or opt-out file cannot be read; the message names the file."""


@dataclass(frozen=True)
class RecipientList:
    """Numbers to send to, in file order without repeats, and what was left out and why."""

    numbers: tuple[str, ...]
    rejected: tuple[tuple[int, str, str], ...] = ()
    opted_out: int = 0
    duplicates: int = 0
    names: Mapping[str, str] = field(default_factory=dict)


def problem_with(raw: str) -> str | None:
    """Why `raw` is not a Vietnamese mobile number, or None when it is one."""
    digits = _SEPARATORS.sub("", raw.strip())
    if not digits:
        return "empty"
    if digits.startswith("+"):
        digits = digits[1:]
        if not digits.startswith("84"):
            return "not a Vietnamese number"
    if not digits.isdigit() or not digits.isascii():
        return "not a phone number"
    national = _national(digits)
    if national is None:
        return "wrong length"
    if national[0] not in MOBILE_LEADS:
        return "not a mobile prefix"
    return None


def _national(digits: str) -> str | None:
    """The 9 digits after the trunk 0 or the 84 country code, when the length is right."""
    if len(digits) == 10 and digits.startswith("0"):
        return digits[1:]
    if len(digits) == 11 and digits.startswith("84"):
        return digits[2:]
    if len(digits) == 13 and digits.startswith("0084"):
        return digits[4:]
    return None


def normalise_vn_mobile(raw: str) -> str | None:
    """`0912 345 678`, `+84912345678` or `84.912.345.678` as `84912345678`; None when invalid."""
    if problem_with(raw) is not None:
        return None
    national = _national(_SEPARATORS.sub("", raw.strip()).lstrip("+"))
    return f"84{national}"


def local_vn(number: str) -> str:
    """`84912345678` as `0912345678`, the form Vietnamese brandname APIs document."""
    return "0" + number[2:] if number.startswith("84") else number


def _read(path: Path, what: str) -> str:
    kind = t(LISTS[what])
    try:
        data = path.read_bytes()
        return data.decode("utf-8-sig")
    except FileNotFoundError as e:
        raise RecipientsError(t("list.missing", what=kind, path=path)) from e
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise RecipientsError(t("list.not_utf8", what=kind, path=path, line=line)) from e
    except OSError as e:
        detail = e.strerror or type(e).__name__
        raise RecipientsError(t("list.unreadable", what=kind, path=path, detail=detail)) from e


def _rows(text: str, path: Path, what: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row keyed by lower-case header) for each CSV row; Excel ; or tab too.

    Errors name the file and a line number, never a line's text (a wrong path could make the
    "list" any file: /proc/self/environ).
    """
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter, strict=True)
    try:
        headers = [h.strip().lower() for h in reader.fieldnames or []]
        if "phone" not in headers:  # the header line is not quoted: it may be anything
            kind = t(LISTS[what])
            raise RecipientsError(t("list.no_phone", what=kind, path=path))
        reader.fieldnames = headers
        for row in reader:
            yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}
    except csv.Error as e:  # named by line number only: the line may hold anything
        kind, line = t(LISTS[what]), reader.line_num + 1
        raise RecipientsError(t("list.not_csv", what=kind, path=path, line=line)) from e


def _optouts(path: Path) -> set[str]:
    """Numbers that asked not to get SMS: a CSV with a phone column, or one number a line."""
    text = _read(path, "opt-out")
    first = next((line for line in text.splitlines() if line.strip()), "")
    if "phone" in first.lower():
        raws: Iterable[str] = (row.get("phone", "") for _, row in _rows(text, path, "opt-out"))
    else:
        raws = text.splitlines()
    numbers = {normalise_vn_mobile(raw) for raw in raws if raw.strip()}
    if None in numbers:
        log.warning("opt-out file %s has entries that are not mobile numbers", path)
    return {n for n in numbers if n}


def load_recipients(path: Path, optout_path: Path | None = None) -> RecipientList:
    """Read a unit's list; raises RecipientsError naming the file when it is missing or bad."""
    blocked = _optouts(Path(optout_path)) if optout_path else set()
    numbers: dict[str, None] = {}
    seen: set[str] = set()
    names: dict[str, str] = {}
    rejected: list[tuple[int, str, str]] = []
    duplicates = opted_out = 0
    for line, row in _rows(_read(Path(path), "recipient"), Path(path), "recipient"):
        raw = row.get("phone", "")
        if not raw and not any(row.values()):
            continue
        reason = problem_with(raw)
        number = normalise_vn_mobile(raw)
        if reason or number is None:
            rejected.append((line, raw, reason or "invalid"))
        elif number in seen:
            duplicates += 1
        elif number in blocked:
            seen.add(number)
            opted_out += 1
        else:
            seen.add(number)
            numbers[number] = None
            if row.get("name"):
                names[number] = row["name"]
    return RecipientList(tuple(numbers), tuple(rejected), opted_out, duplicates, names)


def _stamp(path: Path | None) -> tuple[str, int, int] | None:
    if path is None:
        return None
    info = path.stat()
    return (str(path), info.st_mtime_ns, info.st_size)


@functools.lru_cache(maxsize=64)
def _cached(path: tuple[str, int, int], optout: tuple[str, int, int] | None) -> RecipientList:
    return load_recipients(Path(path[0]), Path(optout[0]) if optout else None)


def recipients_of(path: Path, optout_path: Path | None = None) -> RecipientList:
    """`load_recipients`, read once per version of the files (every delivery of a unit asks)."""
    try:
        key, optout = _stamp(Path(path)), _stamp(Path(optout_path) if optout_path else None)
    except OSError:  # a missing file: let the loader name it
        return load_recipients(path, optout_path)
    assert key is not None
    return _cached(key, optout)


def list_of(target: Target) -> RecipientList | None:
    """The target's whole recipient list as read (numbers, rejected rows, duplicates, opt-outs);
    None without one. Raises RecipientsError as `recipients_for` does."""
    listed = target.options.get("recipients")
    if not listed:
        return None
    optout = target.options.get("optout")
    return recipients_of(Path(str(listed)), Path(str(optout)) if optout else None)


def problems(recipients: RecipientList) -> list[str]:
    """What `loa check` and `loa show` say of a list: each invalid number by row and value (phone
    numbers, not secrets), then how many duplicates and opt-outs were left out."""
    lines = [f"row {row}: {raw!r} {reason}" for row, raw, reason in recipients.rejected]
    if recipients.duplicates:
        lines.append(f"{recipients.duplicates} duplicate(s) left out")
    if recipients.opted_out:
        lines.append(f"{recipients.opted_out} opted out")
    return lines


def recipients_for(target: Target) -> tuple[str, ...]:
    """The numbers a target's `recipients` list names, minus its `optout` list; () without one.

    The worker asks before formatting, so a format never reads a file.
    Raises RecipientsError naming the file when a list is missing or unreadable.
    """
    listed = target.options.get("recipients")
    if not listed:
        return ()
    optout = target.options.get("optout")
    return recipients_of(Path(str(listed)), Path(str(optout)) if optout else None).numbers


_DIALABLE = re.compile(r"^\+?[0-9]{3,20}$")


def check_numbers(numbers: Iterable[str]) -> tuple[str, ...]:
    """The numbers as a tuple; ValueError when one is empty or has a space (it would split)."""
    items = tuple(numbers)
    if not items:
        raise ValueError("the message has no recipients")
    for position, number in enumerate(items, 1):
        if not _DIALABLE.match(number):
            raise ValueError(f"recipient #{position} is not a plain phone number")
    return items


def batches(numbers: Iterable[str], size: int) -> list[tuple[str, ...]]:
    """Numbers in groups of at most `size`, in order, one group per gateway request."""
    items = tuple(numbers)
    return [items[i : i + size] for i in range(0, len(items), max(size, 1))]
