"""The ``primary-forecast`` command line.

Each sub-command lives in its own module under ``forecasting.cli`` and exposes
``add_parser(subparsers)``, which registers the command and sets ``func`` (called with the parsed
args, returns an exit code).  Bad input (``features.kernel.errors.InputError``), and a path that
cannot be read or written as asked (a folder given for a file, a read-only folder), is reported as
one clear line on stderr with exit code 2.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from features.kernel.errors import InputError

COMMAND_MODULES = (
    "data",        # data build
    "train",       # train / register
    "backtest",    # backtest
    "forecast",    # forecast --cycle --as-of
    "rescore",     # rescore / schedule / cron
    "publish",     # publish --out site/
    "notebook",    # notebook race ...
    "run_all",     # run-all: the README's main job
)


def plain(doc: str | None) -> str:
    """A module docstring as help text: reStructuredText's double backticks dropped."""
    return (doc or "").replace("``", "")


def version() -> str:
    """The installed package's version (``pyproject.toml``)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as _version

    try:
        return _version("primary-forecast")
    except PackageNotFoundError:
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="primary-forecast", description=plain(__doc__.splitlines()[0]))
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"forecasting.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"forecasting.cli.{name}":
                continue  # command not built yet
            raise
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except InputError as exc:
        print(f"primary-forecast: error: {exc}", file=sys.stderr)
        return 2
    except (PermissionError, IsADirectoryError, NotADirectoryError, FileExistsError) as exc:
        # a path the user gave that cannot be written or read as asked: one line naming it
        print(f"primary-forecast: error: file {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
