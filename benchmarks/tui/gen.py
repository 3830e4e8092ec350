"""Generate the TUI benchmark repo: 10 tenants x 4 envs x 25 files, plus one 500-key file."""

from __future__ import annotations

from pathlib import Path

TENANTS = [f"tenant{i:02d}" for i in range(10)]
ENVS = ["base", "development", "staging", "production"]
NAMES = [f"svc{j:02d}" for j in range(15)] + [f"routes/r{j:02d}" for j in range(10)]
BIG = ("tenant00", "base", "big")  # the 500-key file (in addition to the 1,000)


def _plain(tenant: str, env: str, name: str) -> dict:
    return {"service": {"name": name, "owner": tenant, "env": env, "replicas": 2,
                        "timeout_s": 30, "enabled": True},
            "api_key": f"sk-bench-{tenant}-{env}-{name}"}


def big_plain(keys: int = 500) -> dict:
    plain: dict = {}
    for i in range(keys):
        group = plain.setdefault(f"group{i // 25:02d}", {})
        group[f"api_key_{i}" if i % 10 == 0 else f"setting_{i}"] = (
            f"value-{i}" if i % 3 else i * 1.5)
    return plain


def make_repo(root: Path) -> Path:
    """Create the repo at `root` (keys in the file backend under $XDG_DATA_HOME)."""
    import lcm.api as api
    from lcm.ops.scaffold import add_tenant, init_repo

    init_repo(root)
    for tenant in TENANTS:
        add_tenant(api.Repo.open(root), tenant, "file")
    repo = api.Repo.open(root)
    changes = repo.changes(check_each=False)
    for tenant in TENANTS:
        for env in ENVS:
            for name in NAMES:
                changes.replace(api.Address(tenant, env, name), _plain(tenant, env, name))
    changes.replace(api.Address(*BIG), big_plain())
    changes.commit("benchmark repo")
    return root
