"""`--staged`, `--history` and the default working-tree scan, in real Git repositories."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import git
from .corpus import Keys

KEYS = Keys(31)
ANTHROPIC = "s" + "k-ant-api03-" + KEYS.s(93) + "AA"
STRIPE = "sk" + "_live_" + KEYS.s(30)


def rules(run) -> list[tuple[str, int, str]]:
    return [(f["path"], f["line"], f["rule"]) for f in json.loads(run.stdout)["findings"]]


def test_staged_scans_the_index_not_the_working_tree(scan, git_repo: Path) -> None:
    settings = git_repo / "settings.yaml"
    settings.write_text(f"model: claude\napi_key: {ANTHROPIC}\n")
    git(git_repo, "add", "settings.yaml")
    settings.write_text("model: claude\napi_key: ${ANTHROPIC_API_KEY}\n")  # fixed, but not staged
    assert scan("settings.yaml").code == 0
    staged = scan("--staged", "--format", "json")
    assert staged.code == 1
    assert rules(staged) == [("settings.yaml", 2, "anthropic-api-key")]


def test_staged_ignores_unstaged_secrets_and_unchanged_files(scan, git_repo: Path) -> None:
    (git_repo / "clean.py").write_text("MODEL = 'gpt-4o'\n")
    git(git_repo, "add", "clean.py")
    (git_repo / "clean.py").write_text(f"MODEL = 'gpt-4o'\nSTRIPE = '{STRIPE}'\n")  # unstaged
    (git_repo / "untracked.env").write_text(f"STRIPE={STRIPE}\n")
    assert scan("--staged").code == 0
    assert scan("clean.py").code == 1


def test_staged_with_paths_limits_the_scan(scan, git_repo: Path) -> None:
    (git_repo / "a.env").write_text(f"STRIPE={STRIPE}\n")
    (git_repo / "b.env").write_text("X=1\n")
    git(git_repo, "add", "a.env", "b.env")
    assert scan("--staged", "b.env").code == 0
    assert scan("--staged", "a.env").code == 1


def test_staged_honours_git_index_file(scan, git_repo: Path) -> None:
    """`git commit FILE` runs hooks with a temporary index named by GIT_INDEX_FILE."""
    (git_repo / "a.env").write_text(f"STRIPE={STRIPE}\n")
    alt = git_repo / ".git" / "alt-index"
    import os
    import subprocess

    subprocess.run(
        ["git", "add", "a.env"],
        cwd=git_repo,
        check=True,
        env=dict(os.environ, GIT_INDEX_FILE=str(alt)),
    )
    assert scan("--staged").code == 0  # default index: nothing
    assert scan("--staged", env={"GIT_INDEX_FILE": str(alt)}).code == 1


def test_history_finds_a_secret_added_then_removed(scan, git_repo: Path) -> None:
    cfg = git_repo / "deploy" / "prod.yaml"
    cfg.parent.mkdir()
    cfg.write_text("replicas: 2\n")
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "add deploy")
    cfg.write_text(f"replicas: 2\nstripe_key: {STRIPE}\n")
    git(git_repo, "commit", "-q", "-am", "oops")
    leaked = git(git_repo, "rev-parse", "HEAD")
    cfg.write_text("replicas: 3\n")
    git(git_repo, "commit", "-q", "-am", "remove key")

    assert scan().code == 0  # the tree is clean now
    run = scan("--history", "--format", "json")
    assert run.code == 1
    (finding,) = json.loads(run.stdout)["findings"]
    assert (finding["path"], finding["line"], finding["rule"], finding["commit"]) == (
        "deploy/prod.yaml",
        2,
        "stripe-secret-key",
        leaked,
    )
    text = scan("--history")
    assert (
        text.stdout == f"deploy/prod.yaml:2:13 ({leaked[:12]}): stripe-secret-key: sk_l********\n"
    )


def test_history_since_skips_older_commits(scan, git_repo: Path) -> None:
    (git_repo / "a.env").write_text(f"STRIPE={STRIPE}\n")
    git(git_repo, "add", "a.env")
    git(git_repo, "commit", "-q", "-m", "leak")
    assert scan("--history", "--since", "HEAD~1").code == 1
    (git_repo / "b.txt").write_text("fine\n")
    git(git_repo, "add", "b.txt")
    git(git_repo, "commit", "-q", "-m", "later")
    assert scan("--history", "--since", "HEAD~1").code == 0
    run = scan("--history", "--since", "no-such-rev")
    assert (run.code, run.stderr) == (3, "lcm: error: --since no-such-rev: unknown revision\n")


def test_history_reports_multiline_keys_at_their_file_line(scan, git_repo: Path) -> None:
    pem = KEYS.pem_lines()
    (git_repo / "k.yaml").write_text("a: 1\nb: 2\n")
    git(git_repo, "add", "k.yaml")
    git(git_repo, "commit", "-q", "-m", "start")
    (git_repo / "k.yaml").write_text("a: 1\nkey: |\n" + "".join(f"  {p}\n" for p in pem) + "b: 2\n")
    git(git_repo, "commit", "-q", "-am", "key")
    run = scan("--history", "--format", "json")
    assert [(f["line"], f["end_line"], f["rule"]) for f in json.loads(run.stdout)["findings"]] == [
        (3, 3 + len(pem) - 1, "private-key")
    ]


def test_worktree_scan_respects_gitignore(scan, git_repo: Path) -> None:
    (git_repo / ".gitignore").write_text("secrets/\n")
    (git_repo / "secrets").mkdir()
    (git_repo / "secrets" / "local.env").write_text(f"STRIPE={STRIPE}\n")
    assert scan().code == 0
    (git_repo / "new.env").write_text(f"STRIPE={STRIPE}\n")  # untracked, not ignored
    run = scan()
    assert run.code == 1 and run.stdout.startswith("new.env:1:8: stripe-secret-key")


def test_staged_outside_a_repo_is_exit_3(scan, tmp_path: Path) -> None:
    run = scan("--staged", cwd=tmp_path)
    assert run.code == 3 and "not inside a Git repository" in run.stderr


def test_history_counts_every_file_change_even_with_nothing_to_scan(scan, git_repo: Path) -> None:
    for n in range(3):
        (git_repo / f"f{n}.txt").write_text(f"plain text {n}\n")
        (git_repo / "notes.md").write_text(f"note {n}\n")
        git(git_repo, "add", ".")
        git(git_repo, "commit", "-q", "-m", f"c{n}")
    run = scan("--history", "--format", "json")
    assert run.code == 0
    # README.md in the first commit, then two files per commit
    assert json.loads(run.stdout)["summary"]["scanned"] == 1 + 3 * 2


def test_history_reports_a_secret_again_when_the_same_content_comes_back(
    scan, git_repo: Path
) -> None:
    """Verdicts are cached per blob id; a reverted removal is still a new addition."""
    cfg = git_repo / "app.env"
    commits = []
    for text in (f"STRIPE={STRIPE}\n", "STRIPE=\n", f"STRIPE={STRIPE}\n"):
        cfg.write_text(text)
        git(git_repo, "add", "app.env")
        git(git_repo, "commit", "-q", "-m", "edit")
        commits.append(git(git_repo, "rev-parse", "HEAD"))
    run = scan("--history", "--format", "json")
    found = [(f["commit"], f["line"]) for f in json.loads(run.stdout)["findings"]]
    assert found == [(commits[0], 1), (commits[2], 1)]


def test_history_reads_a_new_file_whole_and_skips_binaries(scan, git_repo: Path) -> None:
    (git_repo / "deploy.yaml").write_text(f"a: 1\nb: 2\nkey: {ANTHROPIC}\n")
    (git_repo / "blob.bin").write_bytes(b"\0\1\2" + f"key={STRIPE}".encode())
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "add")
    run = scan("--history", "--format", "json")
    assert rules(run) == [("deploy.yaml", 3, "anthropic-api-key")]


def test_history_honours_paths_and_excludes(scan, git_repo: Path) -> None:
    (git_repo / "a").mkdir()
    (git_repo / "a" / "x.env").write_text(f"STRIPE={STRIPE}\n")
    (git_repo / "package-lock.json").write_text(f'{{"k": "{STRIPE}"}}\n')
    (git_repo / "b.env").write_text(f"STRIPE={STRIPE}\n")
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "add")
    assert [r[0] for r in rules(scan("--history", "--format", "json", "a"))] == ["a/x.env"]
    assert [r[0] for r in rules(scan("--history", "--format", "json"))] == ["a/x.env", "b.env"]
