"""Every option of every command says what it does, in plain text."""
from __future__ import annotations

import argparse

from forecasting.cli import build_parser


def _parsers(parser, path=("primary-forecast",)):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, (*path, name))


def test_every_option_has_help_and_no_markup():
    missing, markup = [], []
    for path, parser in _parsers(build_parser()):
        if "``" in (parser.description or "") or "``" in (parser.epilog or ""):
            markup.append(" ".join(path))
        for action in parser._actions:
            if isinstance(action, (argparse._HelpAction, argparse._VersionAction, argparse._SubParsersAction)):
                continue
            if not action.help:
                missing.append(f"{' '.join(path)} {'/'.join(action.option_strings) or action.dest}")
    assert not missing, missing
    assert not markup, markup
