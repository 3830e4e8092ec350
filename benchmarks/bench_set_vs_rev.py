"""`lcm set` of one value in a 500-key file, commit included: this tree next to an older
revision of lcm, in alternating rounds of one run (issue 8: "must not get slower than
1.2x of today"; today was 40d6fd6, the commit before the library core).

The older revision's sources come from `git archive REV` into a temp folder and run with
this virtualenv's interpreter and packages, put first on PYTHONPATH. Each side seeds its
own repository with its own API (the two differ), then both run the installed `lcm`
script, whose `lcm.cli.entry` both revisions have.

Run: `.venv/bin/python benchmarks/bench_set_vs_rev.py [REV] [ROUNDS]`
"""

from __future__ import annotations

import compileall
import io
import statistics
import subprocess
import sys
import tarfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import isolated_env, lcm_exe, ms, tempdir  # noqa: E402

HERE = Path(__file__).resolve().parent.parent
PLAIN = ('{f"group{g}": {f"setting_{k}": f"value-{g}-{k}" for k in range(25)} '
         'for g in range(20)}')  # 500 keys
SEED_OLD = f"""
from lcm.scaffold import add_tenant, init_repo
from lcm.repo import Repo
from lcm.ops import write_plain
from lcm.address import Address
init_repo(root); add_tenant(Repo.open(root), "acme", "file"); repo = Repo.open(root)
with repo.transaction("bench", "acme") as txn:
    write_plain(txn, Address("acme", "base", "app"), None, {PLAIN})
"""
SEED_NEW = f"""
from lcm.api import Repo, init_repo, add_tenant
init_repo(root); add_tenant(Repo.open(root), "acme", "file"); repo = Repo.open(root)
changes = repo.changes(check_each=False)
changes.replace(repo.address("acme/base/app"), {PLAIN}); changes.commit("seed")
"""


def sources_at(rev: str, dest: Path) -> Path:
    """The lcm package of `rev`, extracted under `dest` (returned: the PYTHONPATH entry)."""
    data = subprocess.run(["git", "-C", str(HERE), "archive", "--format=tar", rev, "lcm"],
                          check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(dest, filter="data")
    compileall.compile_dir(str(dest / "lcm"), quiet=1)  # as this tree's (see _common)
    return dest


def seeded(name: str, code: Path, seed: str, tmp: Path) -> tuple[Path, dict[str, str]]:
    """A repository with a 500-key file, made by the lcm at `code`; (its root, its env)."""
    home = tmp / name
    home.mkdir()
    env = {**isolated_env(home), "PYTHONPATH": str(code)}
    script = f"from pathlib import Path\nroot = Path({str(home / 'cfg')!r})\n{seed}"
    subprocess.run([sys.executable, "-c", script], check=True, env=env, cwd=home)
    check = subprocess.run([sys.executable, "-c", "import lcm; print(lcm.__file__)"],
                           check=True, env=env, cwd=home, capture_output=True, text=True).stdout
    assert check.startswith(str(code)), f"{name} imported lcm from {check}"
    return home / "cfg", env


def main() -> None:
    rev = sys.argv[1] if len(sys.argv) > 1 else "40d6fd6"
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    import shutil

    tmp = tempdir("lcm-bench-setrev-")
    try:
        old = seeded("old", sources_at(rev, tmp / "src"), SEED_OLD, tmp)
        new = seeded("new", HERE, SEED_NEW, tmp)
        times: dict[str, list[float]] = {"old": [], "new": []}
        for i in range(rounds):
            for name, (root, env) in (("old", old), ("new", new)):
                start = time.perf_counter()
                subprocess.run([lcm_exe(), "-C", str(root), "set", "acme/base/app",
                                "group3.setting_7", f"v{i}"], env=env, check=True,
                               capture_output=True)
                times[name].append(time.perf_counter() - start)
        print(f"`lcm set` of one value in a 500-key file, commit included, {rounds} alternating "
              f"rounds")
        for name, label in (("old", f"lcm at {rev}"), ("new", "this tree")):
            print(f"    {label:<18} median {ms(statistics.median(times[name]))}"
                  f"   min {ms(min(times[name]))}")
        ratio = statistics.median(times["new"]) / statistics.median(times["old"])
        print(f"    this tree / {rev}: {ratio:.2f}x   (limit 1.2x)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
