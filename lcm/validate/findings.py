"""A located finding and the report that collects them (what every output format prints)."""

from __future__ import annotations

from dataclasses import dataclass, field

from lcm.format.paths import KeyPath, format_path


@dataclass(frozen=True)
class Finding:
    """One validation error at a file position; `message` never holds a secret value."""

    file: str
    line: int
    col: int
    path: KeyPath
    rule: str
    keyword: str
    message: str
    schema: str | None = None
    config: str | None = None
    severity: str = "error"
    # The value sits in a file the effective config `config` inherits (another env's file):
    # the text then names the config, since that file alone may be valid.
    inherited: bool = False

    @property
    def key(self) -> str:
        return format_path(self.path)

    def text(self) -> str:
        """`file:LINE:COL: key.path: message` (the key part omitted at the top level),
        plus `(effective config T/E/N)` when the error is the inheriting config's."""
        where = f"{self.file}:{self.line}:{self.col}"
        body = f"{self.key}: {self.message}" if self.path else self.message
        if self.inherited and self.config:
            body += f" (effective config {self.config})"
        return f"{where}: {body}"

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file, self.line, self.col, self.message)


@dataclass
class Report:
    """Everything one validation run found, plus notes (things it could not check)."""

    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files_checked: int = 0
    configs_checked: int = 0
    fatal: str | None = None
    _seen: set[tuple[object, ...]] = field(default_factory=set, repr=False)

    def add(self, finding: Finding) -> None:
        """Add a finding unless the same error at the same place is already there."""
        key = (
            finding.file,
            finding.line,
            finding.col,
            finding.path,
            finding.keyword,
            finding.message,
        )
        if key not in self._seen:
            self._seen.add(key)
            self.findings.append(finding)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def sorted_findings(self) -> list[Finding]:
        return sorted(self.findings, key=Finding.sort_key)

    @property
    def exit_code(self) -> int:
        return 1 if any(f.severity == "error" for f in self.findings) else 0
