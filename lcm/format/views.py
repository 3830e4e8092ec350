"""Text views of a stored file: decrypted (for `show` and `edit`) and masked
(for `show --masked`, the Git textconv). Both keep the file's comments and
layout and leave out the `lcm:` metadata block."""

from __future__ import annotations

import hashlib
from typing import Any

import yaml

from lcm.format.crypto import is_encrypted
from lcm.format.document import META_KEY, Document
from lcm.format.seal import MASK
from lcm.format.values import map_leaves
from lcm.format.writer import dump_yaml, render


def fingerprint(stored: str) -> str:
    """A short, non-reversible tag that changes whenever the ciphertext does."""
    return hashlib.sha256(stored.encode()).hexdigest()[:8]


def masked_value(stored: str) -> str:
    return f"{MASK} fp:{fingerprint(stored)}"


def strip_meta(text: str) -> str:
    """`text` without the top-level `lcm:` block."""
    doc = Document.parse(text)
    if doc.root is None:
        return text
    for key_node, value_node in doc.root.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == META_KEY:
            start = text.rfind("\n", 0, key_node.start_mark.index) + 1
            end = value_node.end_mark.index
            if end < len(text) and text[end] == "\n":
                end += 1
            return text[:start] + text[end:]
    return text


def _with_values(doc: Document, tree: dict[Any, Any]) -> str:
    full = dict(tree)
    if doc.meta is not None:
        full[META_KEY] = doc.meta
    return strip_meta(render(doc, full))


def plaintext_view(doc: Document, plain: dict[Any, Any]) -> str:
    """The file as the user wrote it, secrets decrypted."""
    return _with_values(doc, plain)


def masked_view(doc: Document) -> str:
    """The file with every secret replaced by a mask and a ciphertext fingerprint."""
    if doc.root is None:
        return doc.text
    return _with_values(doc, map_leaves(doc.tree, lambda _p, v: masked_value(v) if is_encrypted(v) else v))


def append_meta(text: str, meta: dict[Any, Any]) -> str:
    """`text` (no metadata block) with the `lcm:` block appended at the end."""
    block = dump_yaml({META_KEY: meta})
    body = text.rstrip("\n")
    return (body + "\n" if body else "") + block
