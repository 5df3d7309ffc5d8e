"""The live path and the notebooks never import the CLI (``forecasting.commands``) (issue #10)."""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIVE = (["forecasting/scoring.py", "forecasting/rescore.py", "forecasting/snapshots.py", "forecasting/live_model.py",
         "forecasting/watchlist.py", "forecasting/whatif.py", "forecasting/drivers.py", "forecasting/scheduler.py",
         "forecasting/training.py", "forecasting/notebook_support.py", "forecasting/notebooks_run.py"]
        + sorted(str(p.relative_to(ROOT)) for p in (ROOT / "forecasting" / "publish").glob("*.py")))


def _imports(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


def _cli(names: set[str]) -> set[str]:
    return {n for n in names if n == "forecasting.commands" or n.startswith("forecasting.commands.")}


def test_live_modules_do_not_import_the_cli():
    for rel in LIVE:
        assert _cli(_imports((ROOT / rel).read_text())) == set(), rel     # nor lazily, inside functions


def test_notebooks_do_not_import_the_cli():
    books = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert books
    for book in books:
        cells = json.loads(book.read_text())["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        code = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith(("%", "!")))
        assert _cli(_imports(code)) == set(), book.name


def test_importing_the_live_path_loads_no_command_module():
    mods = ["forecasting.scoring", "forecasting.rescore", "forecasting.publish", "forecasting.live_model",
            "forecasting.notebook_support", "forecasting.scheduler"]
    code = ("import sys\n" + "".join(f"import {m}\n" for m in mods)
            + "print(sorted(m for m in sys.modules if m.startswith('forecasting.commands')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert out.stdout.strip() == "[]"
