"""Imports every hireflow module in an environment with only the runtime dependencies
(`uv sync --no-dev`), so a module that needs a development-only package fails `make test`
instead of `make run` on a fresh machine."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import hireflow

failures = []
for module in pkgutil.walk_packages(hireflow.__path__, "hireflow."):
    if module.name == "hireflow.__main__":
        continue
    try:
        importlib.import_module(module.name)
    except Exception as exc:  # report every failure, not just the first
        failures.append(f"{module.name}: {exc!r}")
if failures:
    print("modules that do not import with the runtime dependencies alone:", *failures,
          sep="\n  ")
    sys.exit(1)
print("every hireflow module imports with the runtime dependencies alone")
