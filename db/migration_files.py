"""The migration scripts that ship in a backend's package, one folder per backend."""

from __future__ import annotations

from importlib import resources


def read_migrations(package: str) -> list[tuple[int, str, str]]:
    """The `.sql` files in `package`'s `migrations` folder as (version, name, sql), in order;
    the version is the number the file name starts with."""
    folder = resources.files(package) / "migrations"
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            version = int(entry.name.split("_", 1)[0])
            found.append((version, entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)
