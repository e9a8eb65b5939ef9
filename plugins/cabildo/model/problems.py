"""Problems found in data/: collected, never raised one at a time.

Only the edge of the program (the CLI, the build) prints them.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Problem:
    path: str  # relative to the project, e.g. data/projects/2024.yaml
    line: int  # 1-based; 0 when the problem concerns the whole file
    column: int  # 1-based
    field: str  # dotted path inside the file, e.g. projects[3].amount
    message: str  # what is wrong
    hint: str = ""  # what would fix it
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.column}"
        text = f"{where}: {self.field or '(file)'}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        if self.severity != "error":
            text = f"{text} [{self.severity}]"
        return text


@dataclass
class Problems:
    """A collector passed through every check."""

    items: list[Problem] = field(default_factory=list)

    def add(self, path: object, line: int, column: int, field_path: str, message: str,
            hint: str = "", severity: str = "error") -> None:
        self.items.append(
            Problem(str(path), line, column, field_path, message, hint, severity)
        )

    @property
    def errors(self) -> list[Problem]:
        return sorted(p for p in self.items if p.severity == "error")

    @property
    def warnings(self) -> list[Problem]:
        return sorted(p for p in self.items if p.severity != "error")


class DataProblems(Exception):
    """Raised at the end of loading when any error was found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in data/")

    def report(self) -> str:
        lines = [str(p) for p in self.problems]
        lines.append(
            f"{len(self.problems)} problem(s) found in data/; nothing was published."
        )
        return "\n".join(lines)
