"""Repository-level promises: README generated parts, the CI workflow, the command's help."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO
from figures.cli import parser
from figures.docs import render_readme

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_readme_data_dictionary_matches_schemas():
    assert render_readme(README) == README, "README data dictionary is stale: run `python -m figures.docs`"


def test_readme_opens_with_two_commands_that_ci_runs():
    blocks = re.findall(r"```sh\n(.*?)\n```", README, re.S)
    build_cmd, test_cmd = blocks[0], blocks[1]
    assert "figures build" in build_cmd and "pip install" in build_cmd
    assert "pytest" in test_cmd and "pip install" in test_cmd
    assert test_cmd in (REPO / ".ci" / "run").read_text()


def test_every_subcommand_is_documented_in_help_and_readme():
    commands = parser()._subparsers._group_actions[0].choices
    assert set(commands) == {"build", "extract", "validate", "plot", "evaluate"}
    for name in commands:
        assert f"`figures {name}" in README, name


def test_workflow_passes_actionlint():
    beside = Path(sys.executable).parent / "actionlint"  # the test extra installs it in the venv
    actionlint = str(beside) if beside.exists() else shutil.which("actionlint")
    if actionlint is None:
        pytest.skip("actionlint is not installed (pip install -e '.[test]')")
    result = subprocess.run([actionlint, str(REPO / ".github" / "workflows" / "build.yml")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflow_uploads_data_and_charts():
    text = (REPO / ".github" / "workflows" / "build.yml").read_text()
    assert "upload-artifact" in text and "data/" in text and "charts/" in text
    assert "pull_request" in text and "push" in text


def _repeated_keys(node: yaml.Node, path: str = "") -> list[str]:
    """Mapping keys given twice anywhere under `node` (YAML keeps the last one silently)."""
    found: list[str] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if key.value in seen:
                found.append(f"{path}/{key.value} (line {key.start_mark.line + 1})")
            seen.add(key.value)
            found += _repeated_keys(value, f"{path}/{key.value}")
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            found += _repeated_keys(item, path)
    return found


@pytest.mark.parametrize("path", sorted((REPO / "scripts" / "figures" / "rules").glob("*.yaml"))
                         + sorted((REPO / "tests" / "golden").glob("*.yaml")), ids=lambda p: p.name)
def test_rule_and_golden_files_name_no_key_twice(path):
    """A lexicon defined twice loses its first words without a word said: one such twin had hidden
    every hospital but "hospital" from the rules that named them."""
    assert not _repeated_keys(yaml.compose(path.read_text(encoding="utf-8")))
