"""The installed version comes from the release tags, and every release tag has its CHANGELOG entry."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from packaging.version import Version

import pivotal

ROOT = Path(__file__).resolve().parents[1]


def _release_tags() -> list[Version]:
    """The release tags (vX.Y.Z) reachable from the checked-out commit, or a skip where there are none."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: the version cannot come from tags")
    listed = subprocess.run(
        ["git", "tag", "--merged", "HEAD", "--list", "v[0-9]*"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    tags = [Version(tag.removeprefix("v")) for tag in listed.stdout.split()]
    if not tags:
        pytest.skip("this clone holds no release tags (vX.Y.Z), so its version cannot come from them")
    return sorted(tags)


def test_the_installed_version_is_the_latest_release_or_a_development_version_after_it():
    latest = _release_tags()[-1]
    installed = Version(pivotal.__version__)
    assert installed.local != "unknown", "installed without git: reinstall from a clone"
    assert installed >= latest
    if installed.is_devrelease:  # commits after the release: the version names the commit
        assert installed.local is not None and installed.local.startswith("g")


def test_every_release_tag_has_its_changelog_entry():
    released = set(re.findall(r"^## (\d+\.\d+\.\d+)\s*$", (ROOT / "CHANGELOG.md").read_text(), re.M))
    tagged = {str(tag) for tag in _release_tags()}
    assert tagged <= released, f"tags without a CHANGELOG entry: {sorted(tagged - released)}"
    assert released <= tagged, f"CHANGELOG releases without a tag: {sorted(released - tagged)}"
