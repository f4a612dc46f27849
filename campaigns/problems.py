"""Config problems and the error carrying them: light, so `loa` can catch ConfigError without
importing pydantic and YAML at start-up."""

from __future__ import annotations

from dataclasses import dataclass

from campaigns.i18n import Msg, t


@dataclass(frozen=True)
class Problem:
    """One fault: the file, the key path in it (dotted), what is wrong and what to write instead,
    and the line when the YAML told us where the key sits."""

    file: str
    path: str
    message: str | Msg
    line: int | None = None

    def __str__(self) -> str:
        line = " " + t("config.line", line=self.line) if self.line else ""
        if self.path:
            return f"{self.file}: {self.path}: {self.message}{line}"
        return f"{self.file}: {self.message}{line}"


class ConfigError(Exception):
    """Config that cannot be used; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(problems)

    def __str__(self) -> str:
        lines = "\n".join(f"  - {p}" for p in self.problems)
        return t("config.problems", count=len(self.problems)) + "\n" + lines
