"""Rotation (docs/rotation.md): data keys (`rotate key`: every value re-encrypted in one
commit), master keys (`rotate master`: data keys re-wrapped, no value touched), secret
values with an overlap window (`rotate secret`, `get --previous`), the keyless policy
report (`rotate status`) and the clean-up (`rotate prune`)."""

from lcm.ops.rotation.keys import KeyRotation, MasterRotation, rotate_key, rotate_master
from lcm.ops.rotation.prune import Pruned, prune
from lcm.ops.rotation.secret import (
    GENERATORS, SecretRotation, generate_value, previous_value, rotate_secret,
)
from lcm.ops.rotation.status import DataKeyStatus, RotationStatus, SecretStatus, status

__all__ = [
    "DataKeyStatus", "GENERATORS", "KeyRotation", "MasterRotation", "Pruned", "RotationStatus",
    "SecretRotation", "SecretStatus", "generate_value", "previous_value", "prune", "rotate_key",
    "rotate_master", "rotate_secret", "status",
]
