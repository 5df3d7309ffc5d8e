"""One error type for bad input: it always names the file, and the row and field when known."""
from __future__ import annotations

from pathlib import Path


class InputError(ValueError):
    """Bad or missing input data.

    Parameters
    ----------
    file : path of the offending file (or a logical name such as ``watchlist``)
    message : what is wrong
    row : 1-based data row number (header excluded) or an entry label, if known
    field : column or key name, if known
    """

    def __init__(self, file, message: str, row=None, field: str | None = None):
        self.file = str(file)
        self.row = row
        self.field = field
        self.reason = message
        where = [f"file {Path(self.file).name if isinstance(file, Path) else self.file}"]
        if row is not None:
            where.append(f"row {row}")
        if field is not None:
            where.append(f"field '{field}'")
        super().__init__(f"{', '.join(where)}: {message}")
