"""The library API: what the CLI, the TUI and services call (documented in docs/core-api.md).

    import lcm
    repo = lcm.Repo.open("cfg")
    view = repo.view(repo.address("acme/production/inference"))   # rows: value, type, provenance
    changes = repo.changes()                                       # a change-set
    changes.set(addr, ("llm", "temperature"), 0.3)
    changes.diff(); changes.commit("cooler")                       # one commit
"""

from lcm.api.repo import EnvInfo, Lookup, Repo, TenantInfo
from lcm.api.views import ConfigView, ValueRow
from lcm.errors import ExitCode, LcmError
from lcm.format.paths import KeyPath, format_path, parse_path
from lcm.format.values import DELETE
from lcm.ops.changeset import ChangeSet, Edit
from lcm.repository.address import Address

__all__ = [
    "Address", "ChangeSet", "ConfigView", "DELETE", "Edit", "EnvInfo", "ExitCode", "KeyPath",
    "LcmError", "Lookup", "Repo", "TenantInfo", "ValueRow", "format_path", "parse_path",
]
