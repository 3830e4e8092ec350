"""Regex pieces every rules_* module shares, and the builder for keyword-anchored provider rules."""

from __future__ import annotations

from lcm.scan.model import Rule

# Between a key name and its value: optional closing quote, then `=`, `:`, `:=` or `=>`.
ASSIGN = r"""["'`]?\]?[ \t]*(?:=>|:=|[:=])[ \t]*(?:[bru]?["'`])?"""
# The end of a token: not followed by more token characters.
END = r"(?![A-Za-z0-9_\-])"
START = r"(?<![A-Za-z0-9_\-])"


def keyed(
    id: str,
    description: str,
    names: str,
    value: str,
    keywords: tuple[str, ...],
    key_words: str = "key|token|secret",
    min_entropy: float = 3.0,
    back: int = 0,
) -> Rule:
    """A context rule: a key naming the provider (`names`), then a key word, `=`/`:`, a `value`.

    Matched on lowercased bytes, so `value` uses lowercase character classes. The
    key name is vetted by `lcm.scan.checks.check_key_name` (no `_id`, `_name`, `_url`…).
    """
    pattern = (
        f"(?i:{names})" + r"[\w.\-]{0,30}" + f"(?i:{key_words})" + r"[\w.\-]{0,10}"
        + ASSIGN + f"({value})" + END
    )
    return Rule(
        id, description, pattern, keywords, kind="context", min_entropy=min_entropy,
        check="keyed", back=back,
    )
