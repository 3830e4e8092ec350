"""Every detection rule: data only, compiled by `lcm.scan.engine`.

The rules themselves live by family in `rules_providers` (LLM providers and the
services around them), `rules_hosts` (code hosts, chat, payments, clouds) and
`rules_formats` (JWT, PEM, database URLs, generic assignments); `rules_parts`
holds the regex pieces they share.

Patterns are bytes regexes (files are scanned as bytes, never decoded unless a
rule fires). `keywords` are the lowercase literals a match starts with, or holds
`back` bytes in: the engine finds all of them in one pass and runs a rule's regex
only where one of its keywords occurs. That pass costs one attempt per text
position whose byte some keyword starts with, so a new keyword should start with
a byte others already start with (`eepgram` for `deepgram`, `back=1`). The first
capture group that took part in a match is the secret; a rule with no group
reports the whole match. "context" rules run on
the ASCII-lowercased bytes (their `(?i:...)` groups compile as plain groups), so
their character classes must treat upper and lower case alike.
Rule ids are a contract: they appear in output, baselines and `docs/scan.md`.
"""

from __future__ import annotations

from lcm.scan import rules_formats, rules_hosts, rules_providers
from lcm.scan.model import Rule

RULES: tuple[Rule, ...] = rules_providers.RULES + rules_hosts.RULES + rules_formats.RULES

# Rules the engine produces itself (not regexes); listed so ids are documented in one place.
LCM_RULES: dict[str, str] = {
    "lcm-plaintext-secret": "Plaintext value at a key the lcm manifest or schema marks secret",
    "lcm-mac-invalid": "lcm config file whose MAC does not verify with the tenant's key",
}
