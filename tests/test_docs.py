"""The README is the front door: its settings, commands and sources must match the code."""

import re
from pathlib import Path

from etl import sources
from etl.cli import cli
from etl.settings import describe

README = (Path(__file__).parent.parent / "README.md").read_text()


def test_every_setting_is_in_the_readme_with_its_default():
    for variable, default, _ in describe():
        shown = f"`{default}`" if default else "(empty)"
        assert f"| `{variable}` | {shown} |" in README, variable


def test_every_command_is_in_the_readme():
    for name, command in cli.commands.items():
        subcommands = getattr(command, "commands", None)
        for full in [f"displacement {name} {sub}" for sub in subcommands] if subcommands else [f"displacement {name}"]:
            assert f"`{full}" in README, full


def test_every_source_is_in_the_readme():
    for name in sources.REGISTRY:
        assert f"| `{name}` |" in README, name


def test_the_readme_keeps_issue_10s_setup_steps():
    """A virtual environment, starting without the demo rows, the addresses for one's own country, one period
    vocabulary, and every screenshot it shows present in docs/screenshots."""
    root = Path(__file__).parent.parent
    readme = README
    assert "python3 -m venv .venv" in readme
    assert "## Your own country, without the demo rows" in readme
    for address in ("https://data.humdata.org/dataset/global-pcodes", "https://data.humdata.org/dataset/cod-ab-",
                    "https://hapi.humdata.org/docs"):
        assert address in readme
    assert "`start`/`end` on pages and `from`/`to` in the API, and both spellings work" in readme
    shown = set(re.findall(r"docs/screenshots/([\w-]+\.png)", readme))
    assert shown == {p.name for p in (root / "docs" / "screenshots").glob("*.png")}
