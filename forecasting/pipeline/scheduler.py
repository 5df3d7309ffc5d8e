"""A small in-process scheduler with cron-style triggers, and the equivalent crontab/systemd entries.

``CronExpr`` wraps ``cronsim`` (which follows cron's own rules, including the day fields: ``*/n`` in
a day field counts as ``*``, so the two day fields are ANDed; two restricted lists are ORed), plus
the macros ``@hourly``, ``@daily``, ``@weekly``, ``@monthly``.

``Scheduler(triggers, clock, sleep).run()`` waits for the next fire time and calls the trigger's job
with that time.  The clock and sleep functions are injected, so tests run a whole season without
waiting.  A job that raises is recorded and the scheduler carries on.
"""
from __future__ import annotations

import datetime as dt
import shlex
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from cronsim import CronSim, CronSimError

from features.kernel.errors import InputError
from features.kernel.paths import PROJECT_ROOT

_MACROS = {"@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
           "@weekly": "0 0 * * 0", "@monthly": "0 0 1 * *"}
_SYSTEMD_DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]


@dataclass(frozen=True)
class CronExpr:
    """A five-field cron expression, parsed and iterated by ``cronsim`` (cron's own semantics).

    Day fields follow cron: when either day field starts with ``*`` (``*``, ``*/2``) a day must match
    both; when both are restricted lists a day matching either fires.
    """

    text: str
    expr: str                    # macros expanded
    minutes: frozenset
    hours: frozenset
    days: frozenset
    months: frozenset
    weekdays: frozenset          # 0 = Sunday
    day_and: bool

    @classmethod
    def parse(cls, text: str) -> "CronExpr":
        expr = _MACROS.get(str(text).strip().lower(), str(text).strip())
        if len(expr.split()) != 5:
            raise InputError("schedule", f"a cron expression has 5 fields, got {text!r}", field="cron")
        try:
            sim = CronSim(expr, dt.datetime(2000, 1, 1))
        except CronSimError as exc:
            raise InputError("schedule", f"not a valid cron expression {text!r}: {exc}", field="cron") from None
        return cls(str(text), expr, frozenset(sim.minutes), frozenset(sim.hours), frozenset(sim.days),
                   frozenset(sim.months), frozenset(d % 7 for d in sim.weekdays), bool(sim.day_and))

    @property
    def day_restricted(self) -> bool:
        return not self.expr.split()[2].startswith("*")

    @property
    def weekday_restricted(self) -> bool:
        return not self.expr.split()[4].startswith("*")

    def next_after(self, when: dt.datetime) -> dt.datetime:
        """The first fire time strictly after ``when`` (minute resolution, same tzinfo)."""
        start = when.replace(second=0, microsecond=0)
        try:
            t = next(iter(CronSim(self.expr, start)))
        except (StopIteration, CronSimError):
            t = None
        if t is None or t > start + dt.timedelta(days=366 * 5):
            raise InputError("schedule", f"cron expression {self.text!r} never fires", field="cron")
        return t

    def matches(self, when: dt.datetime) -> bool:
        """True if the minute of ``when`` is a fire time."""
        t = when.replace(second=0, microsecond=0)
        return self.next_after(t - dt.timedelta(minutes=1)) == t


@dataclass
class Trigger:
    """A job fired at every time its cron expression matches."""

    name: str
    cron: CronExpr
    job: Callable[[dt.datetime], Any]


@dataclass
class Firing:
    trigger: str
    at: dt.datetime
    result: Any = None
    error: BaseException | None = None


@dataclass
class Scheduler:
    """Run triggers forever (or until ``max_runs`` / ``until``) with an injectable clock and sleep."""

    triggers: list[Trigger]
    clock: Callable[[], dt.datetime] = dt.datetime.now
    sleep: Callable[[float], Any] = time.sleep
    max_sleep: float = 300.0            # re-read the clock at least this often (seconds)
    on_fire: Callable[[Firing], Any] | None = None
    history: list[Firing] = field(default_factory=list)

    def next_fire(self, now: dt.datetime) -> tuple[dt.datetime, list[Trigger]]:
        times = [(t.cron.next_after(now), t) for t in self.triggers]
        first = min(when for when, _ in times)
        return first, [t for when, t in times if when == first]

    def run(self, max_runs: int | None = None, until: dt.datetime | None = None) -> list[Firing]:
        """Fire triggers as their times come; return the firings of this call."""
        if not self.triggers:
            raise InputError("schedule", "no triggers to run")
        fired: list[Firing] = []
        now = self.clock()
        while max_runs is None or len(fired) < max_runs:
            when, due = self.next_fire(now)
            if until is not None and when > until:
                break
            while (now := self.clock()) < when:
                self.sleep(min(self.max_sleep, (when - now).total_seconds()))
            for trigger in due:
                firing = Firing(trigger.name, when)
                try:
                    firing.result = trigger.job(when)
                except Exception as exc:          # keep the scheduler alive; the error is recorded
                    firing.error = exc
                fired.append(firing)
                self.history.append(firing)
                if self.on_fire is not None:
                    self.on_fire(firing)
            now = max(self.clock(), when)
        return fired


# ---------------------------------------------------------------------------------------------
# crontab / systemd entries
# ---------------------------------------------------------------------------------------------
DEFAULT_CRON = "0 6 * * *"


DEFAULT_LOOKBACK = "3d"


def rescore_command(window: str = "14d", out: str = "site", project: Path = PROJECT_ROOT,
                    lookback: str = DEFAULT_LOOKBACK) -> list[str]:
    """The re-scoring command a trigger runs (now = the time it starts).  Its values are checked: the
    durations parse, and no value holds a control character or cron's ``%`` (either would split or
    cut the generated crontab or systemd line)."""
    from forecasting.pipeline.rescore import parse_duration

    parse_duration(window, "window"), parse_duration(lookback, "lookback")
    for name, value in (("out", out), ("project", str(project))):
        if any(ord(c) < 32 or c in "%\x7f" for c in str(value)):
            raise InputError("schedule", f"{value!r} holds a control character or '%', which would break "
                                         "the generated crontab/systemd entry", field=name)
    exe = str(project / ".venv" / "bin" / "primary-forecast")
    return [exe, "rescore", "--window", window, "--lookback", lookback, "--out", out]


def crontab_entry(cron: str = DEFAULT_CRON, window: str = "14d", out: str = "site",
                  project: Path = PROJECT_ROOT, log: str = "reports/rescore.log",
                  lookback: str = DEFAULT_LOOKBACK) -> str:
    """A crontab line running the re-scoring at ``cron`` (now = the time cron starts it)."""
    CronExpr.parse(cron)
    cmd = " ".join(shlex.quote(a) for a in rescore_command(window, out, project, lookback))
    return (f"# primary-forecast: re-score races whose filing deadline, primary or runoff is within {window} "
            f"(or passed in the last {lookback})\n"
            f"{cron} cd {shlex.quote(str(project))} && {cmd} >> {shlex.quote(log)} 2>&1\n")


def systemd_units(cron: str = DEFAULT_CRON, window: str = "14d", out: str = "site",
                  project: Path = PROJECT_ROOT, name: str = "primary-forecast-rescore",
                  lookback: str = DEFAULT_LOOKBACK) -> str:
    """A systemd service + timer pair equivalent to the cron trigger."""
    cmd = " ".join(shlex.quote(a) for a in rescore_command(window, out, project, lookback))
    return (f"# /etc/systemd/system/{name}.service\n"
            "[Unit]\nDescription=primary-forecast: re-score races near filing deadlines and primaries\n\n"
            f"[Service]\nType=oneshot\nWorkingDirectory={project}\nExecStart={cmd}\n\n"
            f"# /etc/systemd/system/{name}.timer\n"
            "[Unit]\nDescription=Run primary-forecast re-scoring on schedule\n\n"
            f"[Timer]\nOnCalendar={cron_to_oncalendar(cron)}\nPersistent=true\n\n"
            "[Install]\nWantedBy=timers.target\n"
            f"# enable with: systemctl enable --now {name}.timer\n")


def cron_to_oncalendar(cron: str) -> str:
    """Translate a cron expression to a systemd OnCalendar= value (same fire times)."""
    expr = CronExpr.parse(cron)
    parts = _MACROS.get(cron.strip().lower(), cron.strip()).split()
    minute, hour, dom, month, dow = parts

    def conv(field_text: str, values: frozenset, width: int) -> str:
        if field_text == "*":
            return "*"
        return ",".join(f"{v:0{width}d}" for v in sorted(values))

    days = ""
    if expr.weekday_restricted:
        days = ",".join(_SYSTEMD_DAYS[d] for d in sorted(expr.weekdays)) + " "
    if not expr.day_and:
        # systemd ANDs the two day fields while cron ORs them here: not expressible in one line
        raise InputError("schedule", f"{cron!r}: restricting both day fields has no OnCalendar equivalent",
                         field="cron")
    date = f"*-{conv(month, expr.months, 2)}-{conv(dom, expr.days, 2)}"
    time_ = f"{conv(hour, expr.hours, 2)}:{conv(minute, expr.minutes, 2)}:00"
    return f"{days}{date} {time_}"
