"""The per-user cache folder of contract runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from mypref_harness.contract.cache import user_cache_dir


def test_the_folder_is_under_xdg_cache_home_and_created(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = user_cache_dir("parsed-specs")
    assert folder == tmp_path / "mypref-harness" / "parsed-specs"
    assert folder.is_dir()


def test_a_folder_that_cannot_be_created_is_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert user_cache_dir("hypothesis") is None
