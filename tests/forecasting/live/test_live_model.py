"""The live path and the notebooks never import the CLI (``forecasting.cli``)."""
from __future__ import annotations

import ast
import json
import subprocess
import sys

from features.kernel.paths import PROJECT_ROOT

ROOT = PROJECT_ROOT
LIVE = (["forecasting/live/scoring.py", "forecasting/pipeline/rescore.py", "forecasting/live/snapshots.py", "forecasting/live/live_model.py",
         "features/evidence/watchlist.py", "forecasting/live/whatif.py", "forecasting/live/drivers.py", "forecasting/pipeline/scheduler.py",
         "forecasting/models/training.py", "forecasting/notebooks/support.py", "forecasting/notebooks/run.py"]
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
    return {n for n in names if n == "forecasting.cli" or n.startswith("forecasting.cli.")}


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
    mods = ["forecasting.live.scoring", "forecasting.pipeline.rescore", "forecasting.publish", "forecasting.live.live_model",
            "forecasting.notebooks.support", "forecasting.pipeline.scheduler"]
    code = ("import sys\n" + "".join(f"import {m}\n" for m in mods)
            + "print(sorted(m for m in sys.modules if m.startswith('forecasting.cli')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert out.stdout.strip() == "[]"
