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

from lcm.api.repo import Diff, EnvAddress, EnvInfo, Listing, Lookup, Repo, Target, TenantInfo
from lcm.api.views import ConfigView, ValueRow
from lcm.errors import ExitCode, LcmError
from lcm.format.paths import KeyPath, format_path, parse_path
from lcm.format.values import DELETE
from lcm.ops.changeset import ChangeSet, Edit
from lcm.repository.address import Address

if TYPE_CHECKING:
    from lcm.api.files import Merged, Shown, merge_file, show_file
    from lcm.history.log import HistoryEntry
    from lcm.history.render import FileDiff
    from lcm.ops.rollback import RollbackResult
    from lcm.repository.commit import Written
    from lcm.validate.findings import Finding, Report
    from lcm.ops.editing import edit_file
    from lcm.ops.exec import LaunchError, Prepared
    from lcm.ops.exec import prepare as prepare_exec
    from lcm.ops.exec import run as run_command
    from lcm.ops.exec_watch import ExecWatch
    from lcm.ops.export.publish import ExportOptions, ExportResult
    from lcm.ops.export.publish import export as export_config
    from lcm.ops.flatten import FlatValue, flatten, to_env
    from lcm.ops.keyshare import export_key, import_key
    from lcm.ops.promote import Promotion
    from lcm.ops.supervise import Supervisor, supervise_live
    from lcm.ops.scaffold import Initialised, add_tenant, init, init_repo
    from lcm.api.rotation import fix_command
    from lcm.clock import format_duration, parse_duration
    from lcm.ops.rotation import GENERATORS, RotationStatus, generate_value
    from lcm.ops.values import VALUE_TYPES, parse_value
    from lcm.repository import audit
    from lcm.repository.live import Change, LiveConfig
    from lcm.repository.repo import find_root
    from lcm.validate import output as validation_output
    from lcm.validate.run import validate

# name: "module" (same attribute name) or "module:attribute"
_LAZY = {
    "Merged": "lcm.api.files", "Shown": "lcm.api.files", "merge_file": "lcm.api.files",
    "show_file": "lcm.api.files", "edit_file": "lcm.ops.editing",
    "to_env": "lcm.ops.flatten", "flatten": "lcm.ops.flatten",
    "FlatValue": "lcm.ops.flatten", "export_config": "lcm.ops.export.publish:export",
    "ExportOptions": "lcm.ops.export.publish", "ExportResult": "lcm.ops.export.publish",
    "prepare_exec": "lcm.ops.exec:prepare", "run_command": "lcm.ops.exec:run",
    "LaunchError": "lcm.ops.exec", "Prepared": "lcm.ops.exec", "ExecWatch": "lcm.ops.exec_watch",
    "export_key": "lcm.ops.keyshare", "import_key": "lcm.ops.keyshare",
    "add_tenant": "lcm.ops.scaffold", "init": "lcm.ops.scaffold", "init_repo": "lcm.ops.scaffold",
    "Initialised": "lcm.ops.scaffold",
    "GENERATORS": "lcm.ops.rotation", "generate_value": "lcm.ops.rotation",
    "parse_duration": "lcm.clock", "format_duration": "lcm.clock",
    "RotationStatus": "lcm.ops.rotation", "fix_command": "lcm.api.rotation",
    "VALUE_TYPES": "lcm.ops.values", "parse_value": "lcm.ops.values",
    "find_root": "lcm.repository.repo", "validate": "lcm.validate.run",
    "HistoryEntry": "lcm.history.log", "FileDiff": "lcm.history.render",
    "RollbackResult": "lcm.ops.rollback", "Written": "lcm.repository.commit",
    "Finding": "lcm.validate.findings", "Report": "lcm.validate.findings",
    "Promotion": "lcm.ops.promote", "Change": "lcm.repository.live",
    "LiveConfig": "lcm.repository.live", "Supervisor": "lcm.ops.supervise",
    "supervise_live": "lcm.ops.supervise",
}
_MODULES = {"audit": "lcm.repository.audit", "validation_output": "lcm.validate.output"}

__all__ = [
    "Address", "ChangeSet", "ConfigView", "DELETE", "Diff", "Edit", "EnvAddress", "EnvInfo",
    "ExitCode", "KeyPath", "LcmError", "Listing", "Lookup", "Repo", "Target", "TenantInfo", "ValueRow",
    "format_path", "parse_path",
    # loaded on first use:
    "Merged", "Shown", "merge_file", "show_file", "edit_file", "to_env", "flatten",
    "FlatValue", "export_config", "ExportOptions", "ExportResult", "prepare_exec",
    "run_command", "LaunchError", "Prepared", "ExecWatch", "export_key", "import_key", "add_tenant", "init",
    "init_repo", "Initialised", "VALUE_TYPES", "parse_value", "find_root", "validate", "audit",
    "validation_output", "HistoryEntry", "FileDiff", "RollbackResult", "Written", "Finding",
    "Report", "Promotion", "Change", "LiveConfig", "Supervisor", "supervise_live",
    "GENERATORS", "generate_value", "parse_duration", "format_duration", "RotationStatus",
    "fix_command",
]


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return importlib.import_module(_MODULES[name])
    spec = _LAZY.get(name)
    if spec is None:
        raise AttributeError(f"module 'lcm.api' has no attribute {name!r}")
    module, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module), attr or name)
