"""The tables shipped beside the domain's code, in `domain/data/` (area codes, contact hours, the
language lint): read through `importlib.resources`, so they load the same from a clone, a wheel
or the packaged executable."""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any


def data_table(name: str) -> dict[str, Any]:
    """The TOML file `domain/data/<name>`, parsed."""
    raw = resources.files("cobrador_desktop.domain").joinpath(f"data/{name}").read_text("utf-8")
    return tomllib.loads(raw)
