"""Tests for `lcm scan` and the pre-commit hooks."""
