"""Secret scanning for `lcm scan` and the pre-commit hooks (see docs/scan.md)."""
