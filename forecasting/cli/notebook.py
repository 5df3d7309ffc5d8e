"""``primary-forecast notebook``: run the analyst notebooks with papermill.

- ``notebook race --state CA --district 34 --cycle 2026 [--as-of 2025-12-31] [--whatif JSON] [--out reports/]``
  renders ``reports/race_CA-34-2026.html``;
- ``notebook all [--fast] [--out DIR]`` executes every notebook (``--fast``: sampling and fitting shrunk,
  as CI runs them).
"""
from __future__ import annotations

import argparse
import json
from forecasting.cli import plain

#: the what-if grammar, shown by ``notebook race --help`` (``forecasting.live.whatif``)
WHATIF_HELP = """what-if JSON (--whatif): any of these keys, dollars as numbers or '$1,250,000':
  os_for_inc, os_against_inc, os_for_chal, os_against_chal
      outside spending added to what is known: a number, or
      {"amount": 10000000, "class": "pro-israel", "spender": "United Democracy Project"}
      classes: pro-israel, crypto, progressive, party-aligned, conservative, other
  outside_spending   a list of {"side": "against_chal", "amount": ..., "class": ..., "spender": ...}
  endorse, unendorse an endorsement added or removed: {"class": "justice-democrats", "side": "challenger"},
                     {"endorser": "Bernie Sanders"}, a list of them, or a bare class name
  chal_receipts, chal_cash, inc_receipts, inc_cash   set the pre-primary money
example:
  primary-forecast notebook race --state CA --district 34 --cycle 2026 \\
      --whatif '{"os_against_chal": 10000000, "endorse": "sanders"}'
A what-if moves only what the model reads: the report says when a scenario changes nothing."""


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("notebook", help="run the analyst notebooks (papermill) and render HTML",
                              description=plain(__doc__))
    sub = p.add_subparsers(dest="notebook_command", required=True)

    r = sub.add_parser("race", help="the race forecast notebook for one race -> reports/race_<ST>-<NN>-<cycle>.html",
                       description="Render the race report for one race, with an optional what-if.",
                       epilog=WHATIF_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    r.add_argument("--state", required=True, help="two-letter state")
    r.add_argument("--district", required=True, type=int, help="district number (0 = at-large)")
    r.add_argument("--cycle", type=int, default=2026, help="election year (default 2026)")
    r.add_argument("--party", default=None, help="D or R (default: the district's incumbent)")
    r.add_argument("--as-of", default=None, help="forecast date YYYY-MM-DD (default: the live cycle's FEC "
                                                  "coverage date, or the eve of a past race's primary)")
    r.add_argument("--whatif", default=None,
                   help='what-if overrides as JSON (grammar below), e.g. \'{"os_against_chal": 10000000}\'')
    r.add_argument("--model", default=None, help="fit this model instead of the registered champion "
                                                 "(base_rate, logit, boosted, bayes)")
    r.add_argument("--draws", type=int, default=None, help="MCMC draws when a Bayesian model is fitted")
    r.add_argument("--out", default=None, help="output folder (default reports/)")
    r.add_argument("--keep-ipynb", action="store_true", help="keep the executed notebook beside the HTML")
    r.add_argument("--show-code", action="store_true", help="include the code cells in the HTML")
    r.set_defaults(func=run_race)

    a = sub.add_parser("all", help="execute every notebook (CI)")
    a.add_argument("--fast", action="store_true", help="shrink sampling and fitting (fast models, tiny draws)")
    a.add_argument("--out", default=None, help="keep the executed notebooks (and HTML) in this folder")
    a.add_argument("--html", action="store_true", help="also render HTML (with --out)")
    a.set_defaults(func=run_all)


def _whatif(text):
    from features.kernel.errors import InputError

    if text is None:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError("--whatif", f"not valid JSON: {exc}", field="whatif") from None


def _failed(exc) -> int:
    """A notebook cell raised: one line naming the cell and the error (InputError -> exit 2)."""
    import sys

    cell = getattr(exc, "exec_count", None)
    print(f"primary-forecast: error: notebook cell {cell}: {exc.ename}: {exc.evalue}", file=sys.stderr)
    return 2 if exc.ename == "InputError" else 1


def run_race(args) -> int:
    from papermill.exceptions import PapermillExecutionError

    from forecasting.notebooks import run as notebooks_run

    try:
        res = notebooks_run.run_race(args.state, args.district, args.cycle, party=args.party, as_of=args.as_of,
                                     whatif=_whatif(args.whatif), out_dir=args.out, model_name=args.model,
                                     draws=args.draws, keep_ipynb=args.keep_ipynb, hide_code=not args.show_code)
    except PapermillExecutionError as exc:
        return _failed(exc)
    print(f"race notebook executed in {res['seconds']:.0f} s -> {res['html']}")
    return 0


def run_all(args) -> int:
    from papermill.exceptions import PapermillExecutionError

    from forecasting.notebooks import run as notebooks_run

    try:
        results = notebooks_run.run_all(fast=args.fast, out_dir=args.out, html=args.html)
    except PapermillExecutionError as exc:
        return _failed(exc)
    for res in results:
        where = f" -> {res['ipynb']}" if res["ipynb"] else ""
        print(f"{res['name']}: executed in {res['seconds']:.0f} s{where}")
    return 0
