"""The library API: what the CLI, the TUI and services call (documented in docs/core-api.md).

    import lcm
    repo = lcm.Repo.open("cfg")
    addr = repo.address("acme/production/inference")
    view = repo.view(addr)                       # rows: value, type, provenance, description
    changes = repo.changes()                     # a change-set: nothing touches disk yet
    changes.set(addr, ("llm", "temperature"), 0.3)
    changes.diff(); changes.commit("cooler")     # one commit

The faces import from here only (an import-linter contract says so). Names used by
one command alone are loaded on first use, so `import lcm.api` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from lcm.api.repo import Diff, EnvInfo, Lookup, Repo, TenantInfo
from lcm.api.views import ConfigView, ValueRow
from lcm.errors import ExitCode, LcmError
from lcm.format.paths import KeyPath, format_path, parse_path
from lcm.format.values import DELETE
from lcm.ops.changeset import ChangeSet, Edit
from lcm.repository.address import Address

if TYPE_CHECKING:
    from lcm.api.files import Merged, Shown, merge_file, show_file
    from lcm.ops.editing import edit_file
    from lcm.ops.flatten import to_env
    from lcm.ops.keyshare import export_key, import_key
    from lcm.ops.rotation import GENERATORS, generate_value
    from lcm.ops.scaffold import add_tenant, init_repo
    from lcm.clock import format_duration, parse_duration
    from lcm.ops.rotation import RotationStatus
    from lcm.ops.values import VALUE_TYPES, parse_value
    from lcm.repository import audit
    from lcm.repository.repo import find_root
    from lcm.validate import output as validation_output
    from lcm.validate.run import validate

_LAZY = {
    "Merged": "lcm.api.files", "Shown": "lcm.api.files", "merge_file": "lcm.api.files",
    "show_file": "lcm.api.files", "edit_file": "lcm.ops.editing", "to_env": "lcm.ops.flatten",
    "export_key": "lcm.ops.keyshare", "import_key": "lcm.ops.keyshare",
    "GENERATORS": "lcm.ops.rotation", "generate_value": "lcm.ops.rotation",
    "parse_duration": "lcm.clock", "format_duration": "lcm.clock",
    "RotationStatus": "lcm.ops.rotation",
    "add_tenant": "lcm.ops.scaffold", "init_repo": "lcm.ops.scaffold",
    "VALUE_TYPES": "lcm.ops.values", "parse_value": "lcm.ops.values",
    "find_root": "lcm.repository.repo", "validate": "lcm.validate.run",
}
_MODULES = {"audit": "lcm.repository.audit", "validation_output": "lcm.validate.output"}

__all__ = [
    "Address", "ChangeSet", "ConfigView", "DELETE", "Diff", "Edit", "EnvInfo", "ExitCode",
    "KeyPath", "LcmError", "Lookup", "Repo", "TenantInfo", "ValueRow", "format_path",
    "parse_path",
    # loaded on first use:
    "Merged", "Shown", "merge_file", "show_file", "edit_file", "to_env", "export_key",
    "import_key", "add_tenant", "init_repo", "VALUE_TYPES", "parse_value", "find_root",
    "validate", "audit", "validation_output", "GENERATORS", "generate_value", "parse_duration",
    "format_duration", "RotationStatus",
]


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return importlib.import_module(_MODULES[name])
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'lcm.api' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
