"""Which folders ``publish`` may replace.

A publish swaps a freshly rendered folder in for the target as a whole, so the target's old contents
go away.  That is only safe for a folder this command wrote before (it carries :data:`SITE_MARKER`),
or one that is empty or absent.  Anything else -- ``--out .`` in a checkout, a home directory, a
folder of someone's files -- is refused with one clear error before anything is rendered or recorded.
"""
from __future__ import annotations

from pathlib import Path

from features.kernel.errors import InputError

#: written into every published site; its presence is what makes a folder replaceable
SITE_MARKER = ".primary-forecast-site"
MARKER_TEXT = "This folder is a site written by `primary-forecast publish`; publishing replaces it whole.\n"
#: a site published before the marker existed is recognised by these files (all of them present)
LEGACY_SITE_FILES = ("index.html", "checking-our-work.html", "forecast.json", "forecast.csv", "history.csv")


def is_previous_site(path: Path) -> bool:
    """True if ``path`` is a folder written by ``publish`` (the marker, or every legacy site file)."""
    path = Path(path)
    if (path / SITE_MARKER).is_file():
        return True
    return all((path / name).is_file() for name in LEGACY_SITE_FILES) and (path / "races").is_dir()


def check_publish_target(out: str | Path) -> Path:
    """The resolved target if ``publish`` may replace it; InputError otherwise.

    Allowed: a path that does not exist, an empty folder, or a previous site.  Refused: a file, or a
    folder with anything else in it.
    """
    out = Path(out).resolve()
    if not out.exists():
        return out
    if not out.is_dir():
        raise InputError(out, "publish target exists and is not a folder; choose another --out", field="out")
    if any(out.iterdir()) and not is_previous_site(out):
        raise InputError(out, f"refusing to publish into a folder that is neither empty nor a previous site "
                              f"(no {SITE_MARKER} marker): publishing replaces the whole folder, so its "
                              f"contents would be lost; choose an empty or new --out", field="out")
    return out


def mark_site(root: Path) -> None:
    """Write the marker into a freshly rendered site folder."""
    (Path(root) / SITE_MARKER).write_text(MARKER_TEXT, encoding="utf-8")
