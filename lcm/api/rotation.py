"""Rotation methods of `lcm.Repo` (docs/rotation.md): what `lcm rotate …`, `lcm get
--previous` and the TUI's rotation panel call."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Callable, Iterable

from lcm.format.paths import KeyPath
from lcm.repository.address import Address
from lcm.repository.repo import Repo as _Repository

if TYPE_CHECKING:
    from lcm.ops.rotation import (
        KeyRotation, MasterRotation, Pruned, RotationStatus, SecretRotation,
    )
    from lcm.ops.rotation.status import DataKeyStatus, SecretStatus
    from lcm.ops.rotation.secret import Previous


class RotationMethods(_Repository):
    """Rotation operations, one commit each (status and previous reads write nothing)."""

    def rotate_key(self, tenant: str, *, progress: Callable[[int, int], None] | None = None,
                   message: str | None = None) -> KeyRotation:
        """New data-key version; every value of the tenant re-encrypted; one commit."""
        from lcm.ops.rotation import rotate_key

        return rotate_key(self, tenant, progress=progress, message=message)

    def rotate_master(self, tenant: str, *, message: str | None = None) -> MasterRotation:
        """New master key in the tenant's backend; the data keys re-wrapped; one commit."""
        from lcm.ops.rotation import rotate_master

        return rotate_master(self, tenant, message=message)

    def rotate_secret(self, addr: Address, key: KeyPath, value: Any, *,
                      overlap: dt.timedelta | None = None,
                      message: str | None = None) -> SecretRotation:
        """A new value for a secret; the old one readable as previous during the overlap."""
        from lcm.ops.rotation import rotate_secret

        return rotate_secret(self, addr, key, value, overlap=overlap, message=message)

    def rotation_status(self, tenants: Iterable[str] | None = None) -> RotationStatus:
        """Every secret and data key against the policy, most urgent first (keyless)."""
        from lcm.ops.rotation import status

        return status(self, tenants)

    def prune(self, tenant: str, *, message: str | None = None) -> Pruned:
        """Drop expired previous values; destroy retired data keys nothing uses."""
        from lcm.ops.rotation import prune

        return prune(self, tenant, message=message)

    def previous(self, addr: Address, key: KeyPath, *, reveal: bool = False) -> Previous:
        """The previous value of a rotated secret during its overlap window (a reveal is
        audited); RepoError when there is none or the window is over."""
        from lcm.ops.rotation import previous_value

        return previous_value(self, addr, key, reveal=reveal)



def fix_command(item: SecretStatus | DataKeyStatus) -> str | None:
    """The `lcm rotate …` command that fixes an offender of `rotation_status()`, None when
    the item needs nothing: a new value for an overdue secret (read from stdin; or
    `--generate SPEC`), `prune` for a previous value past its overlap, a new data-key
    version for an overdue data key."""
    import shlex

    from lcm.ops.rotation import DataKeyStatus

    if isinstance(item, DataKeyStatus):
        return f"lcm rotate key {shlex.quote(item.tenant)}" if item.overdue else None
    if item.overdue:
        where = f"{shlex.quote(item.address)} {shlex.quote(item.key)}"
        return f"lcm rotate secret {where} --value-stdin"
    if item.overlap_expired:
        return f"lcm rotate prune {shlex.quote(item.address.split('/', 1)[0])}"
    return None
