"""The current time as lcm records it (UTC, whole seconds, `…Z`), and durations (`90d`).

Every time lcm writes or compares (file `updated`, per-secret rotation times, overlap
windows, data-key ages) comes from `now()`. Tests move time instead of sleeping:
`LCM_NOW=2026-01-01T00:00:00Z` in the environment (it reaches `lcm` subprocesses too)
or `override(...)` in process; the override wins over the environment. The variable
is a testing and demo hook: it only changes what this process believes the time is
(an unparsable value is ignored with a Python warning).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from typing import Iterator

FORMAT = "%Y-%m-%dT%H:%M:%SZ"
NOW_VAR = "LCM_NOW"
_DURATION = re.compile(r"^([0-9]+)(s|m|h|d|w)$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}

_override: dt.datetime | None = None


def parse_time(text: str) -> dt.datetime:
    """A recorded time (`2026-01-01T00:00:00Z`, or any ISO 8601 form) as an aware UTC
    datetime; ValueError when it is not one."""
    stamp = dt.datetime.fromisoformat(str(text).strip().replace("Z", "+00:00"))
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.timezone.utc)
    return stamp.astimezone(dt.timezone.utc)


def still_before(stamp: str) -> bool:
    """True while `now()` is before the recorded time `stamp` (an overlap window's end);
    False when `stamp` is not a time."""
    try:
        return now() < parse_time(stamp)
    except ValueError:
        return False


def format_time(stamp: dt.datetime) -> str:
    return stamp.astimezone(dt.timezone.utc).strftime(FORMAT)


def now() -> dt.datetime:
    """The current time (whole seconds, UTC), or the test override."""
    if _override is not None:
        return _override
    forced = os.environ.get(NOW_VAR)
    if forced:
        try:
            return parse_time(forced)
        except ValueError:
            # lcm.clock sits beside lcm.errors (no imports between them): warn, keep going.
            import warnings

            warnings.warn(f"${NOW_VAR}={forced!r} is not a time like 2026-01-01T00:00:00Z;"
                          " using the real clock", stacklevel=2)
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def utc_now() -> str:
    return format_time(now())


@contextlib.contextmanager
def override(stamp: dt.datetime | str) -> Iterator[None]:
    """Run the block as if the time were `stamp` (tests)."""
    global _override
    saved = _override
    _override = parse_time(stamp) if isinstance(stamp, str) else stamp.astimezone(dt.timezone.utc)
    try:
        yield
    finally:
        _override = saved


def parse_duration(text: object) -> dt.timedelta | None:
    """`90d`, `24h`, `30m`, `45s`, `2w` as a timedelta; None when `text` is not one."""
    match = _DURATION.match(text) if isinstance(text, str) else None
    if match is None:
        return None
    return dt.timedelta(seconds=int(match.group(1)) * _UNIT_SECONDS[match.group(2)])


def format_duration(delta: dt.timedelta) -> str:
    """A compact human duration: `95d`, `7d 3h`, `5h`, `12m`, `0s` (negative: `-2d`)."""
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days}d" + (f" {hours}h" if hours and days < 10 else "")
    if hours:
        return f"{sign}{hours}h" + (f" {minutes}m" if minutes else "")
    if minutes:
        return f"{sign}{minutes}m"
    return f"{sign}{secs}s"
