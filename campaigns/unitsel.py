"""Which units a selector picks, and what a unit's slide header shows above its agency line."""

from __future__ import annotations

from campaigns import schema
from campaigns.explain import close
from campaigns.i18n import Msg, msg
from campaigns.model import UNIT_KINDS, Unit, fold
from campaigns.text import nfc


def unit_above(spec: schema.UnitSpec, units: dict[str, Unit], province: str) -> str:
    """The line over a unit's agency on a slide: as given, else its parent's agency line,
    else the province; none when it would repeat the unit's own line."""
    own = units[spec.code].agency_line
    if spec.parent_agency is not None:
        line = nfc(spec.parent_agency)
    elif spec.parent in units:
        line = units[spec.parent].agency_line
    else:
        line = province
    return "" if fold(line) == fold(own) else line


def select_units(
    selector: list[str] | str | dict[str, str], units: dict[str, Unit]
) -> tuple[list[str], list[Msg]]:
    """Unit codes picked by a selector ('all', a list of codes, or {kind: ..., parent: ...}).

    Returns (codes, problems).
    """
    if selector == "all":
        return list(units), []
    if isinstance(selector, dict):
        bad = [k for k in selector if k not in {"kind", "parent"}]
        if bad:
            return [], [msg("cfg.selector_key", keys=", ".join(map(str, bad)))]
        picked = [
            u.code for u in units.values() if all(getattr(u, k) == v for k, v in selector.items())
        ]
        shown = ", ".join(f"{k}: {v}" for k, v in selector.items())
        return picked, ([] if picked else [msg("cfg.selector_none", selector=shown)])
    codes = list(selector) if isinstance(selector, list) else [selector]
    unknown = [c for c in codes if c not in units]
    return [c for c in codes if c in units], [unknown_unit(c, units) for c in unknown]


def unknown_unit(code: str, units: dict[str, Unit]) -> Msg:
    if code in UNIT_KINDS:
        return msg("cfg.unit_is_kind", code=code)
    guess = close(code, units)
    if guess:
        return msg("cfg.unknown_unit_guess", code=code, guess=guess)
    return msg("cfg.unknown_unit", code=code)
