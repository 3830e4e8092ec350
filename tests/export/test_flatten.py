"""The one flattening rule (lcm.ops.flatten), shared by dotenv, k8s-secret, exec and `get -o env`."""

from __future__ import annotations

from pathlib import Path

import pytest

from lcm.errors import ExitCode, RepoError, UsageError
from lcm.format.paths import format_path
from lcm.ops.flatten import flatten, scalar_text

from .conftest import SECRET


def names(configs, prefix: str = "") -> dict[str, str]:
    return {name: flat.value for name, flat in flatten(configs, prefix).items()}


def test_file_name_and_key_path_make_the_name() -> None:
    assert names([("inference", (), {"llm": {"api_key": "k", "model-id": "m", "v1.2": "x"}})]) \
        == {"INFERENCE_LLM_API_KEY": "k", "INFERENCE_LLM_MODEL_ID": "m",
            "INFERENCE_LLM_V1_2": "x"}
    assert names([("router/models", (), {"routes": [{"weight": 3}, {"weight": 1}]})]) == {
        "ROUTER_MODELS_ROUTES_0_WEIGHT": "3", "ROUTER_MODELS_ROUTES_1_WEIGHT": "1"}
    assert names([("rate-limits", ("tpm",), 1000)]) == {"RATE_LIMITS_TPM": "1000"}


def test_scalars_lists_and_empty_containers() -> None:
    tree = {"t": True, "f": False, "n": None, "i": -3, "x": 0.1, "big": 10**30,
            "inf": float("inf"), "stop": ["###", "END"], "none": [], "nothing": {}, "s": ""}
    assert names([("app", (), tree)]) == {
        "APP_T": "true", "APP_F": "false", "APP_N": "", "APP_I": "-3", "APP_X": "0.1",
        "APP_BIG": str(10**30), "APP_INF": ".inf", "APP_STOP_0": "###", "APP_STOP_1": "END",
        "APP_S": ""}
    assert scalar_text(float("nan")) == ".nan" and scalar_text(1e-05) == "1e-05"


def test_non_string_keys_use_their_yaml_spelling() -> None:
    assert names([("codes", (), {404: "missing", True: "yes", 1.5: "x"})]) == {
        "CODES_404": "missing", "CODES_TRUE": "yes", "CODES_1_5": "x"}


def test_prefix_is_prepended_verbatim() -> None:
    assert list(names([("app", (), {"a": 1})], prefix="LCM_")) == ["LCM_APP_A"]
    assert list(names([("app", (), {"a": 1})], prefix="x")) == ["xAPP_A"]
    for bad in ("1X", "A-B", "A B", "Ä"):
        with pytest.raises(UsageError, match="--prefix"):
            flatten([("app", (), {"a": 1})], prefix=bad)


@pytest.mark.parametrize("key, char", [("my key", " "), ("a:b", ":"), ("naïve", "ï"),
                                       ("user@host", "@"), ("a/b", "/"), ("x+y", "+")])
def test_a_character_without_a_name_form_is_an_error_naming_the_key(key: str, char: str) -> None:
    with pytest.raises(RepoError) as info:
        flatten([("app", (), {"outer": {key: "v"}})])
    assert info.value.code == ExitCode.REPO
    assert info.value.message.startswith(f"app: {format_path(('outer', key))}: character")
    assert repr(char) in info.value.message


def test_two_keys_with_one_name_are_an_error_naming_both() -> None:
    with pytest.raises(RepoError) as info:
        flatten([("app", (), {"db_host": "a", "db": {"host": "b"}})])
    assert info.value.message == ("app: db_host and app: db.host both flatten to APP_DB_HOST;"
                                  " rename one of the keys")
    with pytest.raises(RepoError, match="app: apiKey and app: APIKEY both flatten to APP_APIKEY"):
        flatten([("app", (), {"apiKey": "a", "APIKEY": "b"})])
    with pytest.raises(RepoError, match="a_b: c and a: b_c both flatten to A_B_C"):
        flatten([("a_b", (), {"c": 1}), ("a", (), {"b_c": 2})])


def test_a_name_starting_with_a_digit_needs_a_prefix() -> None:
    with pytest.raises(RepoError, match="starts with a digit; add a --prefix"):
        flatten([("2fa", (), {"on": True})])
    assert names([("2fa", (), {"on": True})], prefix="APP_") == {"APP_2FA_ON": "true"}


def test_get_o_env_uses_the_same_rule(seeded: Path, cli) -> None:
    res = cli("get", "acme/production/inference", "-o", "env", "--reveal")
    assert res.code == 0, res
    assert f"INFERENCE_LLM_API_KEY={SECRET}" in res.stdout.splitlines()
    assert "INFERENCE_LLM_STOP_0='###'" in res.stdout.splitlines()
    one = cli("get", "acme/production/inference", "llm.temperature", "-o", "env")
    assert one.stdout == "INFERENCE_LLM_TEMPERATURE=0.1\n"
    masked = cli("get", "acme/production/inference", "-o", "env").stdout
    assert SECRET not in masked and "INFERENCE_LLM_API_KEY='********'" in masked


def test_errors_are_lcm_errors_with_exit_3(seeded: Path, cli) -> None:
    from lcm.api import Repo

    repo = Repo.open(seeded)
    changes = repo.changes("odd key", op="set", check_each=False)
    changes.set(repo.address("acme/base/app"), ("has space",), "v")
    changes.commit()
    res = cli("exec", "acme/production", "--", "true")
    assert res.code == 3, res
    assert res.stderr.startswith("lcm: error: app: [\"has space\"]: character ' '")
    assert res.stdout == ""
