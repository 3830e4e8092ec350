"""The scanning engine: one keyword pass per file, rule regexes only where a keyword occurs.

A blob is lowercased once; a single compiled alternation of every rule's keywords
(the literals its matches start with) finds the candidate positions, and each
candidate rule's regex is tried with `match` at that position only. This beats a
big alternation of full patterns in Python's `re`, which cannot skip ahead on
one. Token rules match the original bytes, context rules the lowercased bytes.
"""

from __future__ import annotations

import os
import re

from lcm.scan import checks, filters
from lcm.scan.model import Blob, Finding, Rule
from lcm.scan.rules import RULES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

_KEY_BYTES = re.compile(rb"[\w.\-]+")
_KEY_CHARS = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
_QUOTES = b"\"'`"
_Trie = dict[bytes, "_Trie"]
_Candidates = list[tuple[bytes, "_Compiled"]]
# Lowercased bytes of source and config text, most frequent first (for branch order).
_BYTE_RANK = {bytes([b]): i for i, b in enumerate(b"etaoinsrlcdhupmfgybwvk_x-.jqz0123456789")}


class _Compiled:
    """A rule with its regex, compiled on first use for the bytes it runs on."""

    __slots__ = ("_near", "_regex", "_unless", "lowered", "rule")

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.lowered = rule.kind == "context"
        self._regex: re.Pattern[bytes] | None = None
        self._near: re.Pattern[bytes] | None = None
        self._unless: re.Pattern[bytes] | None = None

    @property
    def regex(self) -> re.Pattern[bytes]:
        if self._regex is None:
            source = self.rule.pattern.replace("(?i:", "(?:") if self.lowered else self.rule.pattern
            self._regex = re.compile(source.encode())
        return self._regex

    @property
    def near(self) -> re.Pattern[bytes] | None:
        if self._near is None and self.rule.near:
            self._near = re.compile(self.rule.near.encode())
        return self._near

    @property
    def unless(self) -> re.Pattern[bytes] | None:
        if self._unless is None and self.rule.unless_near:
            self._unless = re.compile(self.rule.unless_near.encode())
        return self._unless


class Scanner:
    """Scans blobs with a fixed rule set and the filters of `lcm.scan.filters`."""

    def __init__(
        self, rules: Iterable[Rule] = RULES, disabled: Iterable[str] = (), allow: Iterable[str] = ()
    ) -> None:
        off = set(disabled)
        self.rules = [_Compiled(r) for r in rules if r.id not in off]
        self.allow = re.compile("|".join(f"(?:{a})" for a in allow)) if allow else None
        keywords = {k.encode() for c in self.rules for k in c.rule.keywords}
        # Search only keywords that have no shorter keyword as a prefix; dispatch on the rest.
        anchor_of = {k: _shortest_prefix_in(k, keywords) for k in keywords}
        minimal = sorted(set(anchor_of.values()))
        # For each searched keyword, the (keyword, rule) pairs it may start, per pass:
        # [token rules, context rules].
        self.by_anchor: dict[bytes, tuple[_Candidates, _Candidates]] = {
            a: ([], []) for a in minimal
        }
        for compiled in self.rules:
            for keyword in {k.encode() for k in compiled.rule.keywords}:
                self.by_anchor[anchor_of[keyword]][compiled.lowered].append((keyword, compiled))
        self.anchor_regex = re.compile(_trie_pattern(minimal)) if minimal else None

    def scan(self, blob: Blob) -> list[Finding]:
        """All findings in one blob, filtered, in file order."""
        if self.anchor_regex is None:
            return []
        lowered = blob.data.lower()
        hits = [(h.start(), self.by_anchor[h.group()]) for h in self.anchor_regex.finditer(lowered)]
        found: list[Finding] = []
        token_spans: list[tuple[int, int]] = []
        # Token rules first, so a context rule never reports bytes a token rule already did.
        for context_pass in (False, True):
            covered_to = 0
            for pos, per_pass in hits:
                candidates = per_pass[context_pass]
                if not candidates or pos < covered_to:
                    continue
                match = self._first_match(blob, lowered, pos, candidates, context_pass, token_spans)
                if match is not None:
                    finding, covered_to = match
                    found.append(finding)
        found.sort(key=lambda f: (f.line, f.column, f.rule_id))
        return found

    def may_match(self, data: bytes) -> bool:
        """Whether some rule's regex matches somewhere in `data`, before any filter.

        A cheap superset of `scan`: no line of `data`, nor any fragment of its lines,
        can hold a finding when this is False (`--history` skips such blobs).
        """
        if self.anchor_regex is None:
            return False
        lowered = data.lower()
        for hit in self.anchor_regex.finditer(lowered):
            pos = hit.start()
            tokens, contexts = self.by_anchor[hit.group()]
            for keyword, compiled in tokens + contexts:
                if lowered.startswith(keyword, pos) and compiled.regex.match(
                    lowered if compiled.lowered else data, max(pos - compiled.rule.back, 0)
                ):
                    return True
        return False

    def _first_match(
        self,
        blob: Blob,
        lowered: bytes,
        pos: int,
        candidates: _Candidates,
        context_pass: bool,
        token_spans: list[tuple[int, int]],
    ) -> tuple[Finding, int] | None:
        """The first candidate rule of this pass accepted at `pos`, and where its match ends."""
        for keyword, compiled in candidates:
            if not lowered.startswith(keyword, pos):
                continue
            m = compiled.regex.match(
                lowered if context_pass else blob.data, max(pos - compiled.rule.back, 0)
            )
            if m is None:
                continue
            start, end = _secret_span(m)
            if context_pass and any(s < end and start < e for s, e in token_spans):
                continue
            unless = compiled.unless
            if unless is not None and _near(unless, compiled.rule.near_lines, blob.data, start):
                token_spans.append((start, end))  # public by design: no rule reports these bytes
                continue
            finding = self._accept(blob, compiled, m.start(), start, end)
            if finding is not None:
                if not context_pass:
                    token_spans.append((start, end))
                return finding, m.end()
        return None

    def _accept(
        self, blob: Blob, compiled: _Compiled, mstart: int, start: int, end: int
    ) -> Finding | None:
        """The finding for one regex match, or None when a filter rejects it."""
        rule, data = compiled.rule, blob.data
        line_start = data.rfind(b"\n", 0, start) + 1
        line_end = data.find(b"\n", start)
        line = data[line_start : line_end if line_end >= 0 else len(data)]
        for span in filters.MASKED_SPANS.finditer(line):
            if span.start() <= start - line_start < span.end():
                return None
        secret = data[start:end].decode("utf-8", "replace")
        if rule.check is not None:
            suffix = os.path.splitext(blob.path)[1].lower()
            checked = checks.CHECKS[rule.check](
                secret, _context(data, mstart, start, line, suffix)
            )
            if checked is None:
                return None
            secret = checked
        if rule.check != "pem" and filters.is_placeholder(_whole_value(data, start, end)):
            return None
        if rule.min_entropy and filters.shannon_entropy(secret) < rule.min_entropy:
            return None
        if self.allow is not None and self.allow.search(secret):
            return None
        if compiled.near is not None and not _near(compiled.near, rule.near_lines, data, start):
            return None
        if _suppressed(data, line_start, line, end):
            return None
        line_no = data.count(b"\n", 0, start) + 1
        column = len(data[line_start:start].decode("utf-8", "replace")) + 1
        end_line = line_no + data.count(b"\n", start, end)
        if blob.line_map is not None:
            line_no, end_line = blob.line_map[line_no - 1], blob.line_map[end_line - 1]
        return Finding(
            rule.id, blob.path, line_no, column, secret, rule.description, blob.commit, end_line
        )


def _shortest_prefix_in(word: bytes, words: set[bytes]) -> bytes:
    """The shortest member of `words` that `word` starts with (`word` itself at worst)."""
    return next((word[:n] for n in range(1, len(word)) if word[:n] in words), word)


def _trie_pattern(words: list[bytes]) -> bytes:
    """One regex for many literals, nested by shared prefix so `re` tests few branches per byte."""
    trie: _Trie = {}
    for word in words:
        node = trie
        for byte in word:
            node = node.setdefault(bytes([byte]), {})
        node[b""] = {}

    def emit(node: _Trie) -> bytes:
        # `re` tries branches in order: the most frequent bytes of text first, so most
        # positions are decided after a few tests (branches start with distinct bytes).
        ordered = sorted((ch for ch in node if ch), key=lambda ch: (_BYTE_RANK.get(ch, 99), ch))
        branches = [re.escape(ch) + emit(node[ch]) for ch in ordered]
        if not branches:
            return b""
        body = branches[0] if len(branches) == 1 else b"(?:" + b"|".join(branches) + b")"
        return b"(?:" + body + b")?" if b"" in node else body

    return emit(trie)


def _secret_span(m: re.Match[bytes]) -> tuple[int, int]:
    """The first capture group that took part in the match, else the whole match."""
    for g in range(1, (m.re.groups or 0) + 1):
        if m.start(g) >= 0:
            return m.start(g), m.end(g)
    return m.start(), m.end()


def _context(data: bytes, mstart: int, start: int, line: bytes, suffix: str) -> checks.Context:
    """The key name around a match start, the assignment after it, quoting, the line, the suffix."""
    key_start = mstart
    while key_start > 0 and data[key_start - 1] in _KEY_CHARS:
        key_start -= 1
    key_match = _KEY_BYTES.match(data, key_start)
    key_bytes = key_match.group() if key_match else b""
    key_end = key_start + len(key_bytes)
    quoted = start > 0 and data[start - 1] in _QUOTES
    return checks.Context(
        key_bytes.decode("ascii", "replace"),
        quoted,
        line,
        suffix,
        keyword_at=mstart - key_start,
        assign=data[key_end:start].decode("utf-8", "replace") if key_end < start else "",
        opener=chr(data[key_start - 1]) if key_start > 0 else "",
    )


def _whole_value(data: bytes, start: int, end: int) -> str:
    """The matched secret plus what follows it up to a delimiter: what a placeholder check reads."""
    more = filters.VALUE_CONTINUATION.match(data, end)
    stop = more.end() if more else end
    return data[start:stop].decode("utf-8", "replace")


def _near(pattern: re.Pattern[bytes], lines: int, data: bytes, pos: int) -> bool:
    """Whether `pattern` matches within `lines` lines of `pos`."""
    lo = hi = pos
    for _ in range(lines + 1):
        lo = data.rfind(b"\n", 0, lo) if lo > 0 else -1
        if lo < 0:
            break
    for _ in range(lines + 1):
        hi = data.find(b"\n", hi + 1)
        if hi < 0:
            hi = len(data)
            break
    return pattern.search(data, max(lo, 0), hi) is not None


def _suppressed(data: bytes, line_start: int, line: bytes, end: int) -> bool:
    """An inline allow comment on the finding's first or last line, or a next-line one above it."""
    if any(marker in line for marker in filters.INLINE_ALLOW):
        return True
    last_start = data.rfind(b"\n", 0, end) + 1
    if last_start != line_start:
        last_end = data.find(b"\n", end)
        last = data[last_start : last_end if last_end >= 0 else len(data)]
        if any(marker in last for marker in filters.INLINE_ALLOW):
            return True
    if line_start:
        prev = data[data.rfind(b"\n", 0, line_start - 1) + 1 : line_start]
        return any(marker in prev for marker in filters.INLINE_ALLOW_NEXT_LINE)
    return False
