"""lcm, the LLM Config Manager: encrypted, validated, versioned LLM config in Git.

In-process use::

    import lcm
    config = lcm.Repo.open("path/to/repo").resolve("acme", "production")
    config["inference"]["llm"]["api_key"]   # decrypted on first access, in memory only

Names are exported lazily so `import lcm` (and every CLI start) stays cheap.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["Repo", "ChangeSet", "Address", "LcmError", "LiveConfig", "__version__"]

# The public names live in the library API (`lcm.api`); see docs/core-api.md.
_LAZY = {
    "Repo": "lcm.api",
    "ChangeSet": "lcm.api",
    "Address": "lcm.api",
    "LcmError": "lcm.api",
    "LiveConfig": "lcm.api",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'lcm' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
