"""A small in-process scheduler with cron-style triggers, and the equivalent crontab/systemd entries.

``CronExpr`` understands the five standard fields (minute hour day-of-month month day-of-week) with
``*``, numbers, ranges ``a-b``, steps ``*/n`` and ``a-b/n``, lists, month/day names, and the macros
``@hourly``, ``@daily``, ``@weekly``, ``@monthly``.  As in cron, when both day fields are restricted
a day matching either one fires.

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

from features.errors import InputError
from features.paths import PROJECT_ROOT

_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_DAYS = {d: i for i, d in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])}
_MACROS = {"@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
           "@weekly": "0 0 * * 0", "@monthly": "0 0 1 * *"}
_FIELDS = (("minute", 0, 59, {}), ("hour", 0, 23, {}), ("day of month", 1, 31, {}),
           ("month", 1, 12, _MONTHS), ("day of week", 0, 7, _DAYS))
_SYSTEMD_DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]


@dataclass(frozen=True)
class CronExpr:
    """A parsed five-field cron expression."""

    text: str
    minutes: frozenset
    hours: frozenset
    days: frozenset
    months: frozenset
    weekdays: frozenset          # 0 = Sunday
    day_restricted: bool
    weekday_restricted: bool

    @classmethod
    def parse(cls, text: str) -> "CronExpr":
        expr = _MACROS.get(text.strip().lower(), text.strip())
        parts = expr.split()
        if len(parts) != 5:
            raise InputError("schedule", f"a cron expression has 5 fields, got {text!r}", field="cron")
        sets = [_parse_field(p, *spec) for p, spec in zip(parts, _FIELDS)]
        weekdays = frozenset(d % 7 for d in sets[4])
        return cls(text, sets[0], sets[1], sets[2], sets[3], weekdays,
                   parts[2] != "*", parts[4] != "*")

    def _day_ok(self, when: dt.datetime) -> bool:
        dom = when.day in self.days
        dow = (when.isoweekday() % 7) in self.weekdays
        if self.day_restricted and self.weekday_restricted:
            return dom or dow
        return dom and dow

    def matches(self, when: dt.datetime) -> bool:
        """True if the minute of ``when`` is a fire time."""
        return (when.minute in self.minutes and when.hour in self.hours and when.month in self.months
                and self._day_ok(when))

    def next_after(self, when: dt.datetime) -> dt.datetime:
        """The first fire time strictly after ``when`` (minute resolution, same tzinfo)."""
        t = when.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
        limit = t + dt.timedelta(days=366 * 5)
        while t <= limit:
            if t.month not in self.months:
                t = (t.replace(day=1, hour=0, minute=0) + dt.timedelta(days=32)).replace(day=1)
                continue
            if not self._day_ok(t):
                t = t.replace(hour=0, minute=0) + dt.timedelta(days=1)
                continue
            if t.hour not in self.hours:
                t = t.replace(minute=0) + dt.timedelta(hours=1)
                continue
            if t.minute not in self.minutes:
                t += dt.timedelta(minutes=1)
                continue
            return t
        raise InputError("schedule", f"cron expression {self.text!r} never fires", field="cron")


def _parse_field(text: str, name: str, lo: int, hi: int, names: dict) -> frozenset:
    values: set[int] = set()
    for item in text.lower().split(","):
        step = 1
        if "/" in item:
            item, step_text = item.split("/", 1)
            if not step_text.isdigit() or int(step_text) == 0:
                raise InputError("schedule", f"bad step in {name} field {text!r}", field="cron")
            step = int(step_text)
        if item == "*":
            start, end = lo, hi
        elif "-" in item:
            a, b = item.split("-", 1)
            start, end = _value(a, name, lo, hi, names), _value(b, name, lo, hi, names)
        else:
            start = _value(item, name, lo, hi, names)
            end = hi if step > 1 else start
        if start > end:
            raise InputError("schedule", f"empty range in {name} field {text!r}", field="cron")
        values.update(range(start, end + 1, step))
    return frozenset(values)


def _value(text: str, name: str, lo: int, hi: int, names: dict) -> int:
    if text in names:
        return names[text]
    if not text.isdigit() or not lo <= int(text) <= hi:
        raise InputError("schedule", f"{name} must be {lo}-{hi}, got {text!r}", field="cron")
    return int(text)


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
    """The re-scoring command a trigger runs (now = the time it starts)."""
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
    if expr.day_restricted and expr.weekday_restricted:
        # systemd ANDs the two day fields while cron ORs them: not expressible in one line
        raise InputError("schedule", f"{cron!r}: restricting both day fields has no OnCalendar equivalent",
                         field="cron")
    date = f"*-{conv(month, expr.months, 2)}-{conv(dom, expr.days, 2)}"
    time_ = f"{conv(hour, expr.hours, 2)}:{conv(minute, expr.minutes, 2)}:00"
    return f"{days}{date} {time_}"
