"""Print pip constraints pinning every runtime dependency to its declared floor (`name>=X` -> `name==X`)."""

import re
import tomllib
from pathlib import Path

project = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())["project"]
for requirement in project["dependencies"]:
    match = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*>=\s*([0-9][0-9.]*)", requirement.split(";")[0].strip())
    if not match:
        raise SystemExit(f"pyproject.toml: {requirement!r} has no `>=` floor")
    print(f"{match.group(1)}=={match.group(2)}")
