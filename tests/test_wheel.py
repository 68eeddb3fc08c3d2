"""The built wheel works on its own: installed outside the checkout, run from an empty folder.

The wheel is built with ``uv build`` (the venv's uv, which ``make venv`` installs) and installed with
``uv pip install --no-deps`` into a fresh venv in a temporary folder. Its third-party dependencies come
from the project venv's site-packages, added by a ``.pth`` line: that keeps the test offline and quick
(no resolution against an index) while the harness itself, its data files included, comes only from
the wheel. A ``.pth`` line adds a plain path, so the project venv's own editable-install ``.pth`` (which
points at src/) is not processed: the checkout is out of reach, and the test checks that it is.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from email.parser import HeaderParser
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from mypref_harness import resources

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
UV = Path(sys.executable).with_name("uv")
PROCESS_TIMEOUT = 600  # seconds; the gate --quick run takes about two minutes on 2 busy cores


def _uv(*args: str, cwd: Path) -> None:
    """Offline first (the warm cache of `make venv`); then with the index, which CI also reaches."""
    for mode in (["--offline"], []):
        done = subprocess.run(
            [str(UV), *args, *mode], cwd=cwd, capture_output=True, text=True, timeout=PROCESS_TIMEOUT
        )
        if done.returncode == 0:
            return
    raise AssertionError(f"uv {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert UV.is_file(), f"{UV} is missing: `make venv` installs uv into the venv"
    out = tmp_path_factory.mktemp("dist")
    _uv("build", "--wheel", "--quiet", "--out-dir", str(out), str(REPO), cwd=out)
    (built,) = out.glob("mypref_harness-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> Path:
    """A fresh venv outside the checkout with the wheel installed; returns its bin/ folder."""
    root = tmp_path_factory.mktemp("venv") / "venv"
    _uv("venv", "--quiet", "--python", sys.executable, str(root), cwd=root.parent)
    python = root / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout.strip()
    )
    (site / "_project_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _uv("pip", "install", "--quiet", "--no-deps", "--python", str(python), str(wheel), cwd=root.parent)
    return root / "bin"


def _run(venv: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MYPREF_", "PYTHON", "VIRTUAL_ENV", "SCHEMATHESIS_", "LOCUST_"))
    }
    env["PATH"] = f"{venv}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(
        list(args), cwd=cwd, env=env, capture_output=True, text=True, timeout=PROCESS_TIMEOUT
    )


def test_the_wheel_carries_every_shipped_data_file(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    corpus = [f"auth_vectors/{p.name}" for p in resources.vectors_dir().glob("*.json")]
    assert corpus
    for relative in (*resources.SHIPPED, *corpus):
        assert f"mypref_harness/_data/{relative}" in names, relative
    assert not any(name.startswith(("contracts/", "loadtests/", "auth_vectors/")) for name in names)


def test_the_wheel_declares_the_projects_dependencies_and_the_borrowed_ones_satisfy_them(wheel: Path):
    """What `pip install` would resolve from the wheel, and the project venv (the .pth) has it."""
    archive = zipfile.ZipFile(wheel)
    (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
    declared = HeaderParser().parsestr(archive.read(name).decode("utf-8")).get_all("Requires-Dist") or []
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = [Requirement(line) for line in pyproject["project"]["dependencies"]]
    assert sorted(map(str, map(Requirement, declared))) == sorted(map(str, wanted))
    for requirement in wanted:
        assert requirement.specifier.contains(metadata.version(requirement.name)), requirement


def test_the_installed_package_and_its_data_come_from_the_wheel_not_the_checkout(venv: Path, tmp_path: Path):
    code = (
        "import mypref_harness.resources as r; print(r.__file__); "
        "[print(r.locate(name)) for name in (*r.SHIPPED, r.VECTORS)]"
    )
    done = _run(venv, tmp_path, str(venv / "python"), "-c", code)
    assert done.returncode == 0, done.stderr
    module, *data = done.stdout.splitlines()
    installed = venv.parent.resolve()
    assert Path(module).resolve().is_relative_to(installed)
    assert not Path(module).resolve().is_relative_to(REPO)
    assert len(data) == len(resources.SHIPPED) + 1
    for line in data:
        assert "/mypref_harness/_data/" in line and Path(line).resolve().is_relative_to(installed), line


def test_the_installed_commands_find_their_data(venv: Path, tmp_path: Path):
    harness = str(venv / "mypref-harness")
    verify = _run(venv, tmp_path, harness, "vectors", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "passed, 0 failed (OK)" in verify.stdout
    stats = _run(venv, tmp_path, harness, "spec", "stats", "--json")
    assert stats.returncode == 0, stats.stderr
    assert '"operations": 110' in stats.stdout
    for command in ("contract", "load", "gate", "auth-conformance"):
        usage = _run(venv, tmp_path, harness, command, "--help")
        assert usage.returncode == 0 and "usage:" in usage.stdout, (command, usage.stderr)


def test_gate_quick_passes_from_an_empty_folder_outside_the_checkout(venv: Path, tmp_path: Path):
    gate = _run(venv, tmp_path, str(venv / "mypref-harness"), "gate", "--quick")
    assert gate.returncode == 0, gate.stdout[-4000:] + gate.stderr[-4000:]
    assert (tmp_path / "reports" / "summary.json").is_file()
