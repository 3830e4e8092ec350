"""Shared by the hostile-input tests: the invariants every run of lcm must keep, and
the hypothesis profile that keeps the fuzz suite seeded and bounded in time."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, settings

# Seeded (derandomize): a failure reproduces on every run and machine. No example
# database: nothing written into the repository under test.
settings.register_profile(
    "hostile",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
FUZZ = settings.get_profile("hostile")
DOCUMENTED_CODES = set(range(7))  # DESIGN.md: 0 ok ... 6 backend unreachable
# Controls (a newline only ends a line), line separators, lone surrogates.
_UNPRINTABLE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def assert_sane(res: Any) -> None:
    """No traceback, a documented exit code, and a failure is one escaped error line."""
    assert res.exception is None, f"traceback: {res.exception!r}"
    assert "Traceback" not in res.stderr + res.stdout, res
    assert res.code in DOCUMENTED_CODES, res
    if res.code >= 2:
        lines = res.stderr.splitlines()
        errors = [line for line in lines if line.startswith("lcm: error: ")]
        assert len(errors) == 1 and lines[-1] == errors[0], res
        assert all(line.startswith("lcm: ") for line in lines), res
        assert res.stderr.endswith("\n") and res.stderr.count("\n") == len(lines), res
        assert not _UNPRINTABLE.search(res.stderr), res


@pytest.fixture
def checked(cli: Callable[..., Any], tree_digest: Callable[..., dict[str, str]],
            repo: Path) -> Callable[..., Any]:
    """Like `cli`, and asserts the invariants: sane output, and a failed command
    (exit 2 and above) changed nothing on disk."""

    def _run(*args: str, **kwargs: Any) -> Any:
        before = tree_digest(repo)
        res = cli(*args, **kwargs)
        assert_sane(res)
        if res.code >= 2:
            assert tree_digest(repo) == before, (args, res)
        return res

    return _run
