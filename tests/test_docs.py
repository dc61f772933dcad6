"""The README is the front door: its settings, commands and sources must match the code."""

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
