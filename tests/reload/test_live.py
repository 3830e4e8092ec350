"""The live handle: current reads, settled callbacks, and the last good config kept when
a change does not verify. Writers run in other processes (the lcm CLI, git, Python)."""

from __future__ import annotations

from pathlib import Path

import pytest

import lcm
from lcm.errors import IntegrityError, KeyStoreError, RepoError
from tests.reload.conftest import Recorder, git, holds, lcm as run_lcm, python, wait_until

# A new data-key version, every file of the tenant resealed with it and one secret
# changed, in one commit: what `lcm rotate key` does (simulated through the library).
ROTATE = """
from lcm.keys import cache, datakeys
from lcm.ops.changeset import ChangeSet
from lcm.repository.address import Address
from lcm.repository.repo import Repo
repo = Repo.open('.')
keys = datakeys.load(repo.root, repo.manifest.repo_id, 'acme', repo.backend('acme'))
keys.add_version()
changes = ChangeSet(repo, 'rotate')
changes.keys_override['acme'] = keys
if WRITE_KEYS:
    changes.write('.lcm/keys/acme.yaml', keys.render())
else:
    open(KEYS_OUT, 'w').write(keys.render())
for addr in repo.iter_addresses('acme'):
    changes.replace(addr, repo.decrypt(addr), force=True)
changes.set(Address('acme', 'base', 'app'), ('llm', 'provider'), 'anthropic')
if WRITE_KEYS:
    changes.set(Address('acme', 'base', 'app'), ('llm', 'api_key'), 'sk-two')
changes.commit('rotate data key')
"""


def _live(root: Path, recorder: Recorder, name: str | None = "app", **kw) -> lcm.LiveConfig:
    repo = lcm.Repo.open(root)
    return repo.live("acme", "production", name, on_change=recorder.on_change,
                     on_error=recorder.on_error, **kw)


def test_reads_are_current_after_lcm_set_in_another_process(served: Path) -> None:
    live = lcm.Repo.open(served).live("acme", "production", "app")
    assert live.get("llm.model") == "gpt-4o"
    assert live.get("llm.api_key") == "sk-one"
    assert live.get("llm.api_key", reveal=False) == "********"
    assert live.commit == git(served, "rev-parse", "HEAD").strip()
    run_lcm(served, "set", "acme/staging/app", "llm.model", "gpt-5")
    assert live.get("llm.model") == "gpt-5"  # no watcher: the read itself refreshes
    assert live.commit == git(served, "rev-parse", "HEAD").strip()
    assert live.get("nope.key", None) is None
    with pytest.raises(KeyError):
        live.get("nope.key")


def test_refresh_rereads_only_what_changed(served: Path, monkeypatch) -> None:
    from lcm.format.document import Document

    live = lcm.Repo.open(served).live("acme", "production", "app")
    parsed: list[str] = []
    original = Document.parse

    def counting(text: str, source: str = "<string>") -> Document:
        parsed.append(source)
        return original(text, source)

    monkeypatch.setattr(Document, "parse", staticmethod(counting))
    assert all(live.refresh() == [] for _ in range(200))
    assert parsed == []
    run_lcm(served, "set", "acme/staging/app", "llm.model", "gpt-5")
    assert live.refresh() == [("llm", "model")]
    assert len(parsed) == 1 and parsed[0].endswith("config/acme/staging/app.yaml")


def test_watcher_calls_back_once_per_commit_touching_many_files(served: Path,
                                                                recorder: Recorder) -> None:
    with _live(served, recorder) as live:
        python(served, """
from lcm.ops.changeset import ChangeSet
from lcm.repository.address import Address
from lcm.repository.repo import Repo
changes = ChangeSet(Repo.open('.'), 'test')
changes.set(Address('acme', 'base', 'app'), ('llm', 'provider'), 'anthropic')
changes.set(Address('acme', 'staging', 'app'), ('llm', 'model'), 'claude')
changes.set(Address('acme', 'production', 'app'), ('limits', 'rpm'), 900)
changes.commit('three files, one commit')
""")
        wait_until(lambda: recorder.changes, what="on_change")
        assert holds(lambda: len(recorder.changes) == 1, 3 * live.debounce + 0.5)
        old, new, paths = recorder.changes[0]
        assert sorted(paths) == [("limits", "rpm"), ("llm", "model"), ("llm", "provider")]
        assert old["llm"]["model"] == "gpt-4o" and new["llm"]["model"] == "claude"
        assert live.get("limits.rpm") == 900
        assert recorder.errors == []


def test_reload_after_git_pull_of_a_commit_made_in_another_clone(
        served: Path, tmp_path: Path, recorder: Recorder) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(served), str(clone))
    with _live(clone, recorder) as live:
        assert live.get("llm.model") == "gpt-4o"
        run_lcm(served, "set", "acme/staging/app", "llm.model", "gpt-5")
        run_lcm(served, "set", "acme/base/app", "llm.api_key", "sk-pulled", "--secret")
        assert live.refresh() == []  # nothing pulled yet
        git(clone, "pull", "-q", "--ff-only")
        wait_until(lambda: recorder.changes, what="on_change after git pull")
        assert live.get("llm.model") == "gpt-5"
        assert live.get("llm.api_key") == "sk-pulled"
        assert live.commit == git(served, "rev-parse", "HEAD").strip()
        assert holds(lambda: len(recorder.changes) == 1, 3 * live.debounce + 0.5)
        assert sorted(recorder.changes[0][2]) == [("llm", "api_key"), ("llm", "model")]


def test_a_hand_edit_that_breaks_the_mac_keeps_the_last_good_config(
        served: Path, recorder: Recorder) -> None:
    path = served / "config/acme/staging/app.yaml"
    with _live(served, recorder) as live:
        # Saved the way editors do (a temp file renamed over it): one new state.
        edited = path.with_suffix(".tmp")
        edited.write_text(path.read_text().replace("model: gpt-4o", "model: evil"))
        edited.replace(path)
        wait_until(lambda: recorder.errors, what="on_error")
        [err] = recorder.errors
        assert isinstance(err, IntegrityError) and "MAC does not verify" in err.message
        assert live.get("llm.model") == "gpt-4o"
        assert live.last_error is err
        assert holds(lambda: len(recorder.errors) == 1, 3 * live.debounce + 0.5)  # once
        assert recorder.changes == []
        git(served, "checkout", "--", str(path))
        run_lcm(served, "set", "acme/staging/app", "llm.model", "gpt-5")
        wait_until(lambda: recorder.changes, what="on_change after the repair")
        assert live.get("llm.model") == "gpt-5" and live.last_error is None


def test_bad_yaml_mid_save_keeps_the_last_good_config(served: Path, recorder: Recorder) -> None:
    from lcm.ops.changeset import ChangeSet
    from lcm.repository.address import Address

    path = served / "config/acme/staging/app.yaml"
    changes = ChangeSet(lcm.Repo.open(served), "test")
    changes.set(Address("acme", "staging", "app"), ("llm", "model"), "gpt-5")
    text = changes.texts()["config/acme/staging/app.yaml"]
    assert text is not None
    half = path.with_suffix(".half")
    half.write_text(text[: text.index("gpt-5") + 2] + "\n  broken: [")
    with _live(served, recorder) as live:
        half.replace(path)  # the state a reader meets halfway through a save
        wait_until(lambda: recorder.errors, what="on_error")
        [err] = recorder.errors
        assert isinstance(err, RepoError) and "bad YAML" in err.message
        assert live.get("llm.model") == "gpt-4o"
        path.write_text(text)  # the save completes (a reader may meet more half states)
        wait_until(lambda: recorder.changes, what="on_change")
        assert live.get("llm.model") == "gpt-5"


def test_reload_after_a_key_rotation(served: Path, recorder: Recorder) -> None:
    with _live(served, recorder) as live:
        python(served, "WRITE_KEYS = True\n" + ROTATE)
        wait_until(lambda: recorder.changes, what="on_change after rotation")
        assert recorder.errors == []
        assert sorted(recorder.changes[0][2]) == [("llm", "api_key"), ("llm", "provider")]
        assert live.get("llm.api_key") == "sk-two"
        assert "k:2," in (served / "config/acme/base/app.yaml").read_text()


def test_a_missing_key_is_reported_and_recovered_when_it_arrives(
        served: Path, tmp_path: Path, recorder: Recorder) -> None:
    keys_out = tmp_path / "acme-keys.yaml"
    with _live(served, recorder) as live:
        # Files sealed with data key v2 arrive before the key file that holds v2.
        python(served, f"WRITE_KEYS = False\nKEYS_OUT = {str(keys_out)!r}\n" + ROTATE)
        wait_until(lambda: recorder.errors, what="on_error")
        assert isinstance(recorder.errors[0], KeyStoreError)
        assert "unknown data key version 2" in recorder.errors[0].message
        assert live.get("llm.provider") == "openai" and recorder.changes == []
        python(served, f"""
from lcm.ops.changeset import ChangeSet
from lcm.repository.repo import Repo
changes = ChangeSet(Repo.open('.'), 'keys')
changes.write('.lcm/keys/acme.yaml', open({str(keys_out)!r}).read())
changes.commit('the key file')
""")
        wait_until(lambda: recorder.changes, what="on_change once the key is there")
        assert recorder.changes[0][2] == [("llm", "provider")]
        assert live.get("llm.provider") == "anthropic" and live.last_error is None


def test_a_handle_on_every_file_of_the_env_sees_a_new_file(served: Path,
                                                           recorder: Recorder) -> None:
    with _live(served, recorder, name=None) as live:
        assert live.get("app.llm.model") == "gpt-4o"
        run_lcm(served, "set", "acme/staging/router/models", "default", "claude")
        wait_until(lambda: recorder.changes, what="on_change")
        assert recorder.changes[0][2] == [("router/models", "default")]
        assert live.get(("router/models", "default")) == "claude"


def test_a_write_lcm_is_still_finishing_is_not_read(served: Path) -> None:
    from lcm.ops.changeset import ChangeSet
    from lcm.repository.address import Address

    live = lcm.Repo.open(served).live("acme", "production", "app")
    changes = ChangeSet(lcm.Repo.open(served), "test")
    changes.set(Address("acme", "staging", "app"), ("llm", "model"), "gpt-5")
    text = changes.texts()["config/acme/staging/app.yaml"]
    assert text is not None
    journal = served / ".lcm/journal.json"
    journal.write_text("{}")
    (served / "config/acme/staging/app.yaml").write_text(text)
    assert live.get("llm.model") == "gpt-4o"
    journal.unlink()
    assert live.get("llm.model") == "gpt-5"


def test_a_failing_callback_does_not_stop_the_watcher(served: Path) -> None:
    seen: list[object] = []
    errors: list[object] = []

    def callback(_old: object, new: object, _paths: object) -> None:
        seen.append(new)
        raise ValueError("boom")

    repo = lcm.Repo.open(served)
    with repo.live("acme", "production", "app", on_change=callback, on_error=errors.append):
        run_lcm(served, "set", "acme/staging/app", "llm.model", "gpt-5")
        wait_until(lambda: len(seen) == 1 and errors)
        assert "on_change raised ValueError" in errors[0].message  # type: ignore[attr-defined]
        run_lcm(served, "set", "acme/staging/app", "llm.model", "gpt-6")
        wait_until(lambda: len(seen) == 2, what="second on_change")


def test_unknown_tenant_or_env_and_a_missing_config_fail_at_once(served: Path) -> None:
    repo = lcm.Repo.open(served)
    for args in (("nope", "production", "app"), ("acme", "qa", "app"),
                 ("acme", "production", "missing")):
        with pytest.raises(RepoError):
            repo.live(*args)


def test_a_broken_manifest_is_reported_once_and_reads_go_on(served: Path,
                                                             recorder: Recorder) -> None:
    live = lcm.Repo.open(served).live("acme", "production", "app", on_error=recorder.on_error)
    manifest = served / ".lcm.yaml"
    good = manifest.read_text()
    manifest.write_text(good + "\nenvironments: [\n")
    assert all(live.get("llm.model") == "gpt-4o" for _ in range(100))
    assert len(recorder.errors) == 1 and isinstance(recorder.errors[0], RepoError)
    manifest.write_text(good)
    run_lcm(served, "set", "acme/staging/app", "llm.model", "gpt-5")
    assert live.get("llm.model") == "gpt-5" and live.last_error is None
