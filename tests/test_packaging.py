"""A real, non-editable wheel: builds, installs into a fresh venv, and works.

The wheel is built from a copy of the source tree (so the build never writes
into the working tree other people are editing). With setuptools>=77 (`license` as
an SPDX string) in the project venv the build runs offline (--no-build-isolation);
otherwise pip fetches the build backend from the package index.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
PIP = [sys.executable, "-m", "pip"]

pytestmark = pytest.mark.slow


def _offline_build_possible() -> bool:
    try:
        import setuptools
    except ImportError:
        return False
    major_minor = tuple(int(p) for p in setuptools.__version__.split(".")[:2])
    if major_minor < (77, 0):
        return False
    if major_minor >= (70, 1):
        return True
    try:
        import wheel  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(scope="module")
def wheel_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build", "dist")
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE", "MANIFEST.in", "setup.cfg", "setup.py"):
        if (PROJECT / name).exists():
            shutil.copy2(PROJECT / name, src / name)
    for folder in ("lcm", "tui", "schemas"):
        shutil.copytree(PROJECT / folder, src / folder, ignore=ignore)
    out = work / "dist"
    cmd = [*PIP, "wheel", "--no-deps", "-q", "-w", str(out), str(src)]
    if _offline_build_possible():
        cmd.insert(4, "--no-build-isolation")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=work)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "deprecat" not in (proc.stdout + proc.stderr).lower(), proc.stderr[-3000:]
    (found,) = out.glob("lcm-*.whl")
    return found


@pytest.fixture(scope="module")
def fresh_venv(wheel_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("venv") / "v"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120
    )
    py = venv / "bin/python"
    proc = subprocess.run(
        [*PIP, "--python", str(py), "install", "--no-deps", "--no-index", str(wheel_file)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    # The wheel's dependencies come from the project venv (appended after the venv's own
    # site-packages, so the wheel's `lcm` wins over the editable one).
    site = Path(
        subprocess.run(
            [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    (site / "zz_project_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


def _run(venv: Path, code: str, cwd: Path | None = None) -> str:
    proc = subprocess.run(
        [str(venv / "bin/python"), "-c", code], capture_output=True, text=True, timeout=120, cwd=cwd
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_wheel_contents(wheel_file: Path) -> None:
    names = zipfile.ZipFile(wheel_file).namelist()
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"lcm", "lcm_tui"}, tops
    assert not any(n.startswith("tui/") for n in names)
    shipped = {
        Path(n).name for n in names if n.startswith("lcm/builtin_schemas/") and n.endswith(".json")
    }
    assert shipped == {p.name for p in (PROJECT / "schemas").glob("*.json")}
    assert "model-endpoint.json" in shipped
    # every source subpackage is in the wheel (the package list in pyproject is explicit)
    packages = {
        p.parent.relative_to(PROJECT).as_posix()
        for p in (PROJECT / "lcm").rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    for package in packages:
        assert f"{package}/__init__.py" in names, f"{package} missing from the wheel"
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel_file).read(entry_points).decode()
    assert "lcm = lcm.cli.entry:run" in text


def test_installed_wheel_imports_from_site_packages(fresh_venv: Path, tmp_path: Path) -> None:
    out = _run(
        fresh_venv,
        (
            "import importlib.util, json, lcm, lcm_tui\n"
            "from importlib.resources import files\n"
            "schemas = sorted(p.name for p in files('lcm.builtin_schemas').iterdir() if p.name.endswith('.json'))\n"
            "print(json.dumps({'lcm': lcm.__file__, 'tui': lcm_tui.__file__,\n"
            "  'top_tui': importlib.util.find_spec('tui') is not None, 'schemas': schemas}))\n"
        ),
        cwd=tmp_path,
    )
    data = json.loads(out)
    assert str(fresh_venv) in data["lcm"] and str(fresh_venv) in data["tui"]
    assert data["top_tui"] is False
    assert "model-endpoint.json" in data["schemas"]
    assert set(data["schemas"]) == {p.name for p in (PROJECT / "schemas").glob("*.json")}
    for schema in data["schemas"]:
        json.loads((PROJECT / "schemas" / schema).read_text())


def test_installed_console_script(fresh_venv: Path, tmp_path: Path) -> None:
    exe = fresh_venv / "bin/lcm"
    env = dict(os.environ)
    proc = subprocess.run(
        [str(exe), "--help"], capture_output=True, text=True, timeout=60, cwd=tmp_path, env=env
    )
    assert proc.returncode == 0, proc.stderr
    assert "set" in proc.stdout and "get" in proc.stdout
    root = tmp_path / "cfg"
    for args, stdin in (
        (["init", str(root)], None),
        (["-C", str(root), "tenant", "add", "acme", "--backend", "file"], None),
        (
            ["-C", str(root), "set", "acme/base/app", "api_key", "--value-stdin"],
            "sk-test-FAKE-whl\n",
        ),
    ):
        proc = subprocess.run(
            [str(exe), *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            cwd=tmp_path,
            env=env,
        )
        assert proc.returncode == 0, (args, proc.stderr)
    proc = subprocess.run(
        [str(exe), "-C", str(root), "get", "acme/base/app", "api_key", "--reveal"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env=env,
    )
    assert proc.stdout == "sk-test-FAKE-whl\n", proc.stderr
