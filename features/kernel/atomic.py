"""Write files and replace output folders so that a crash never leaves a half-written or mixed state.

``write_file_atomic(path, data)``: one file, written beside itself, flushed to disk and renamed over
the old one; the old file's permissions are kept and a symlink keeps pointing where it did.


``commit_folders(stage, targets)``: ``stage/<name>/`` holds the complete new contents of
``targets[name]`` (a folder).  A journal ``stage/COMMIT.json`` is written first; then each target is
exchanged with its staged folder (Linux ``renameat2(RENAME_EXCHANGE)``, one atomic step per folder;
elsewhere two renames).  Each staged folder carries a ``.build-id`` naming the stage, so the
journal can tell which targets already hold the new contents.  If the process dies between two
exchanges, :func:`finish_interrupted` (called before every build and by the readers of the tables)
completes the remaining exchanges: every reader sees either all old or all new outputs.  A stage
without a journal was never committed and is simply removed.
"""
from __future__ import annotations

import ctypes
import json
import os
import shutil
import tempfile
from pathlib import Path

JOURNAL = "COMMIT.json"
BUILD_ID = ".build-id"
STAGE_PREFIX = ".build-stage-"

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def new_stage(parent: Path) -> Path:
    """A fresh staging folder under ``parent`` (removed by :func:`commit_folders` or on failure)."""
    parent = Path(parent)
    parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(dir=parent, prefix=STAGE_PREFIX))


def exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux renameat2); False where the call is unavailable."""
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if fn(_AT_FDCWD, os.fsencode(str(a)), _AT_FDCWD, os.fsencode(str(b)), _RENAME_EXCHANGE) != 0:
        err = ctypes.get_errno()
        if err in (22, 38, 95):          # EINVAL / ENOSYS / EOPNOTSUPP
            return False
        raise OSError(err, os.strerror(err), str(b))
    return True


def swap_folder(new: Path, target: Path) -> None:
    """Make ``new`` the contents of ``target``; ``new`` then holds the old contents (if any).

    One atomic exchange where the kernel offers it, else two renames (undone if the second fails).
    """
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(new, target)
        return
    if exchange(new, target):
        return
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    os.rename(target, old)
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(old, target)
        raise
    os.rename(old, new)


_swap = swap_folder


def _keep_foreign_files(new: Path, target: Path) -> None:
    """Files in ``target`` that the build does not write (notes, locks) move along into ``new``."""
    if not target.is_dir():
        return
    for entry in target.iterdir():
        if entry.name != BUILD_ID and not (new / entry.name).exists():
            if entry.is_dir():
                shutil.copytree(entry, new / entry.name, symlinks=True)
            else:
                shutil.copy2(entry, new / entry.name, follow_symlinks=False)


def commit_folders(stage: Path, targets: dict[str, Path]) -> None:
    """Swap every ``stage/<name>`` in for ``targets[name]`` as one unit, then remove the stage."""
    stage = Path(stage)
    build_id = stage.name
    for name, target in targets.items():
        _keep_foreign_files(stage / name, Path(target))
        (stage / name / BUILD_ID).write_text(build_id + "\n")
    journal = {"build_id": build_id, "targets": {n: str(Path(t).resolve()) for n, t in targets.items()}}
    tmp = stage / (JOURNAL + ".tmp")
    tmp.write_text(json.dumps(journal, indent=1) + "\n")
    os.replace(tmp, stage / JOURNAL)               # from here on the commit will be completed
    _roll_forward(stage)


def _roll_forward(stage: Path) -> None:
    journal = json.loads((stage / JOURNAL).read_text())
    for name, target in journal["targets"].items():
        target = Path(target)
        marker = target / BUILD_ID
        if marker.is_file() and marker.read_text().strip() == journal["build_id"]:
            continue                                # this one was swapped before the crash
        _swap(stage / name, target)
    for target in journal["targets"].values():
        (Path(target) / BUILD_ID).unlink(missing_ok=True)
    shutil.rmtree(stage, ignore_errors=True)


def finish_interrupted(parent: Path, discard_uncommitted: bool = False) -> int:
    """Complete every committed (journaled) stage under ``parent``; with ``discard_uncommitted``
    (the builder, holding :func:`build_lock`) also remove stages a killed build left half-written.
    Returns how many commits were completed.  Cheap when there is nothing to do (one glob)."""
    parent = Path(parent)
    stages = sorted(parent.glob(STAGE_PREFIX + "*")) if parent.is_dir() else []
    if not any((s / JOURNAL).is_file() for s in stages) and not (discard_uncommitted and stages):
        return 0
    with build_lock(parent):
        return finish_locked(parent, discard_uncommitted)


def finish_locked(parent: Path, discard_uncommitted: bool) -> int:
    """:func:`finish_interrupted` for a caller that already holds :func:`build_lock`."""
    done = 0
    for stage in sorted(Path(parent).glob(STAGE_PREFIX + "*")):
        if (stage / JOURNAL).is_file():
            _roll_forward(stage)
            done += 1
        elif discard_uncommitted:
            shutil.rmtree(stage, ignore_errors=True)
    return done


def build_lock(parent: Path):
    """The exclusive lock serialising builds and roll-forwards under ``parent``."""
    from filelock import FileLock

    return FileLock(str(Path(parent) / ".build.lock"))


def write_file_atomic(path: str | os.PathLike, data: bytes | str) -> Path:
    """Replace the file at ``path`` with ``data`` in one step (a reader sees the old or the new file).

    The new contents go to a temporary file in the same folder, are flushed to disk, then renamed over
    the target.  The file keeps the mode it had (a new file gets the usual 0666 less the umask), and a
    symlink is followed: its target is replaced, the link stays.
    """
    path = Path(path)
    if path.is_symlink():
        path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        mode = path.stat().st_mode & 0o7777
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
