"""Every shell block of README.md runs as written (defect 10), in order, in a temp dir,
with the file key backend and no network; then its Python blocks run as one program.

Stand-ins, all outside the commands themselves: `$OPENAI_API_KEY` holds a fake key,
`$EDITOR` is `true` (saves nothing), `ssh HOST CMD…` runs CMD as a teammate: in a
second home with its own key store and a clone of the repository at `~/cfg`, and
`kubectl apply -f -` checks that it was given one v1 Secret. The Vault lines run
against a real OpenBao dev server the test starts (`VAULT_ADDR`, `VAULT_TOKEN`). The
set-up block (`make demo`, `make test`) is checked with `make -n`: `make test` is the
run this test is part of, and the demo runs in full in test_demo.py. `lcm tui` needs a
terminal, so the README names it only inline (tests/tui drive the app itself).

The Python blocks run after the shell blocks, in the folder that holds `cfg`, as one
program with two stand-ins defined first: `reconfigure` and `log` (a service's own
callbacks in the live-handle example).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import VENV_BIN
from tests.vault.conftest import require_bao
from tests.vault.server import start_bao

from .helpers import PROJECT, git

FENCE = re.compile(r"^```(sh|bash|shell)\n(.*?)^```", re.M | re.S)
PYTHON_FENCE = re.compile(r"^```python\n(.*?)^```", re.M | re.S)
PYTHON_STAND_INS = "import logging\nlog = logging.getLogger('service')\nreconfigure = print\n"
SSH = """#!/bin/sh
# ssh HOST CMD...: CMD runs as the teammate, in their home, with their clone at ~/cfg.
shift
mkdir -p "$TEAMMATE_HOME" && cd "$TEAMMATE_HOME"
[ -d cfg ] || git clone -q "$ORIGIN_REPO" cfg
HOME="$TEAMMATE_HOME" XDG_DATA_HOME="$TEAMMATE_HOME/.local/share" exec sh -c "$*"
"""


KUBECTL = """#!/bin/sh
# kubectl apply -f -: accept exactly one v1 Secret on stdin.
exec "$LCM_PYTHON" -c 'import sys, yaml; d = yaml.safe_load(sys.stdin); \\
assert d["apiVersion"] == "v1" and d["kind"] == "Secret", d; \\
print("secret/" + d["metadata"]["name"] + " configured")'
"""


def shell_blocks() -> list[str]:
    return [m.group(2) for m in FENCE.finditer((PROJECT / "README.md").read_text())]


def python_blocks() -> list[str]:
    return [m.group(1) for m in PYTHON_FENCE.finditer((PROJECT / "README.md").read_text())]


def test_the_readme_has_the_blocks_this_test_runs() -> None:
    blocks = shell_blocks()
    assert len(blocks) >= 4
    assert any("lcm init cfg" in b for b in blocks)


def test_the_set_up_block_names_real_make_targets() -> None:
    (setup,) = [b for b in shell_blocks() if b.lstrip().startswith("make ")]
    for line in setup.splitlines():
        target = line.split("#")[0].split()[1]
        dry = subprocess.run(["make", "-n", target], cwd=PROJECT, capture_output=True,
                             text=True, timeout=60)
        assert dry.returncode == 0, dry.stderr


def test_every_shell_block_runs_as_written(tmp_path: Path, isolated_env: Path) -> None:
    blocks = [b for b in shell_blocks() if not b.lstrip().startswith("make ")]
    shims = tmp_path / "shims"
    shims.mkdir()
    for name, text in (("ssh", SSH), ("kubectl", KUBECTL)):
        (shims / name).write_text(text)
        (shims / name).chmod(0o755)
    bao = start_bao(tmp_path / "bao") if require_bao() else None
    if bao:  # what the README asks of the Vault admin: a transit engine
        bao.admin("POST", "sys/mounts/transit", {"type": "transit"})
    work = tmp_path / "work"
    work.mkdir()
    script = ["set -euo pipefail"]
    for number, block in enumerate(blocks, 1):
        script += [f"echo '::block {number}' >&2", block]
    env = dict(
        os.environ,
        PATH=f"{shims}:{VENV_BIN}:{os.environ['PATH']}",
        OPENAI_API_KEY="sk-test-FAKE-readme-0001",
        EDITOR="true",
        TEAMMATE_HOME=str(tmp_path / "teammate"),
        ORIGIN_REPO=str(work / "cfg"),
        LCM_PYTHON=sys.executable,
        VAULT_ADDR=bao.address if bao else "",
        VAULT_TOKEN=bao.token if bao else "",
    )
    try:
        proc = subprocess.run(["bash", "-c", "\n".join(script)], cwd=work, env=env,
                              capture_output=True, text=True, timeout=600)
    finally:
        if bao:
            bao.stop()
    last = re.findall(r"::block (\d+)", proc.stderr)
    where = f"README shell block {last[-1] if last else '?'}:\n{proc.stderr[-3000:]}"
    assert proc.returncode == 0, where
    assert len(last) == len(blocks)
    assert "lcm: error:" not in proc.stderr and "Traceback" not in proc.stderr, where
    # What the blocks promise: a valid repo, no secret in the clear, the teammate's key.
    assert "ok: " in proc.stderr and "no secrets found in" in proc.stderr
    assert "sk-test-FAKE-readme-0001" not in (work / "cfg/config/acme/base/inference.yaml").read_text()
    assert list((tmp_path / "teammate/.local/share/lcm/keys").rglob("acme.key"))
    assert git(work / "cfg", "status", "--porcelain").stdout == ""
    # The library examples, against the repository the shell blocks left.
    program = PYTHON_STAND_INS + "\n".join(python_blocks())
    assert "lcm.Repo.open" in program
    lib = subprocess.run([sys.executable, "-c", program], cwd=work, env=env,
                         capture_output=True, text=True, timeout=120)
    assert lib.returncode == 0, lib.stderr[-3000:]


def test_docs_index_lists_every_page_and_links_resolve() -> None:
    docs = PROJECT / "docs"
    index = (docs / "index.md").read_text()
    pages = {p.name for p in docs.glob("*.md")} - {"index.md"}
    assert set(re.findall(r"\]\(([\w-]+\.md)\)", index)) == pages
    for page, text in (("README.md", (PROJECT / "README.md").read_text()), ("docs/index.md", index)):
        base = PROJECT if page == "README.md" else docs
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text):
            assert (base / target).exists(), f"{page} links to a missing {target}"
    readme = (PROJECT / "README.md").read_text()
    for name in pages:
        assert f"](docs/{name})" in readme, f"the README does not link docs/{name}"


def test_cli_doc_covers_every_command() -> None:
    from .test_usage_errors import COMMANDS

    text = (PROJECT / "docs/cli.md").read_text()
    for path, _ in COMMANDS:
        assert f"`lcm {path}" in text or f"lcm {path} " in text, f"docs/cli.md lacks lcm {path}"


def test_help_lists_each_command_with_a_whole_sentence(cli) -> None:
    """`lcm --help` (and each group's) is the newcomer's first index: one whole sentence
    per command, never cut off with `...`."""
    for group in ((), ("tenant",), ("key",), ("rotate",), ("audit",)):
        shown = cli(*group, "--help").stdout
        listing = shown.split("\nCommands:\n", 1)[1].split("\n\n", 1)[0].splitlines()
        assert listing, group
        for line in listing:
            name, _, summary = line.strip().partition(" ")
            summary = summary.strip()
            assert summary.endswith(".") and not summary.endswith("..."), (group, line)
            assert summary[0].isupper(), (group, line)
