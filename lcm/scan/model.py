"""The value types of a scan: a rule, a finding, a unit of content, an unreadable path.

Plain slotted classes rather than dataclasses: `dataclasses` pulls in `inspect`
and builds methods with `exec`, which is a measurable share of a pre-commit
hook's start-up.
"""

from __future__ import annotations


class Rule:
    """One detector: a bytes regex whose first participating capture group is the secret.

    `keywords` are the lowercase literals a match starts with; the rule's regex runs
    only at positions where one of them occurs (the prefilter). `kind` is "token"
    (a self-identifying shape, matched case-sensitively) or "context" (anchored on a
    key name, matched on lowercased bytes); a token finding wins over a context
    finding on the same bytes. `near` is a regex that must match within `near_lines`
    lines of the finding, `unless_near` one that must not (Firebase web config makes a
    Google key public); `check` names an extra validator in `lcm.scan.checks.CHECKS`.
    `back` is how many bytes before its keywords a match starts: for shapes whose
    literal is not at the start (Azure's `…7Q~…`), and to anchor on a literal whose
    first byte other keywords already start with (`eepgram` in `deepgram`), since the
    prefilter's cost grows with the number of distinct first bytes it looks for.
    """

    __slots__ = (
        "back",
        "check",
        "description",
        "id",
        "keywords",
        "kind",
        "min_entropy",
        "near",
        "near_lines",
        "pattern",
        "unless_near",
    )

    def __init__(
        self,
        id: str,
        description: str,
        pattern: str,
        keywords: tuple[str, ...],
        kind: str = "token",
        min_entropy: float = 0.0,
        near: str | None = None,
        near_lines: int = 10,
        check: str | None = None,
        unless_near: str | None = None,
        back: int = 0,
    ) -> None:
        self.id, self.description, self.pattern, self.keywords = id, description, pattern, keywords
        self.kind, self.min_entropy, self.near, self.near_lines = (
            kind,
            min_entropy,
            near,
            near_lines,
        )
        self.check, self.unless_near, self.back = check, unless_near, back

    def __repr__(self) -> str:
        return f"Rule({self.id!r})"


class Finding:
    """One secret (or lcm integrity problem) at a place; `secret` never leaves the process."""

    __slots__ = ("column", "commit", "description", "end_line", "line", "path", "rule_id", "secret")

    def __init__(
        self,
        rule_id: str,
        path: str,
        line: int,
        column: int,
        secret: str,
        description: str = "",
        commit: str | None = None,
        end_line: int | None = None,
    ) -> None:
        self.rule_id, self.path, self.line, self.column = rule_id, path, line, column
        self.secret, self.description, self.commit = secret, description, commit
        self.end_line = end_line

    @property
    def preview(self) -> str:
        """First four characters, then a fixed redaction (nothing of short secrets)."""
        head = self.secret[:4] if len(self.secret) > 8 else ""
        return f"{head}********"

    def __repr__(self) -> str:
        where = f"{self.path!r}, {self.line}, {self.column}"
        return f"Finding({self.rule_id!r}, {where}, {self.preview!r})"


class Blob:
    """Bytes to scan and where they came from; `line_map` maps fragment lines to file lines."""

    __slots__ = ("commit", "data", "line_map", "local_path", "path")

    def __init__(
        self,
        path: str,
        data: bytes,
        commit: str | None = None,
        line_map: list[int] | None = None,
        local_path: str | None = None,
    ) -> None:
        self.path, self.data, self.commit = path, data, commit
        self.line_map, self.local_path = line_map, local_path


class Unscanned:
    """Changes a source counted but found nothing a rule could match in (`scanned` counts them)."""

    __slots__ = ("count",)

    def __init__(self, count: int) -> None:
        self.count = count


class Unreadable:
    """A path the user asked for that could not be read, and why."""

    __slots__ = ("path", "reason")

    def __init__(self, path: str, reason: str) -> None:
        self.path, self.reason = path, reason
