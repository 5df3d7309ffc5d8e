"""Charts for the site: an inline SVG timeline of P(loss) (the calibration plot: ``publish.checking``)."""
from __future__ import annotations

import numpy as np
import pandas as pd


def p_loss_svg(points, width: int = 560, height: int = 220) -> str:
    """Inline SVG of P(loss) across a race's snapshots; ``points`` = [(as_of, p_loss[, simulated]), ...].

    Simulated snapshots are drawn as hollow circles and say so in their tooltip.  The markup contains
    no text from data (dates are formatted by us), so it is safe to embed.
    """
    pts_by_date, sim_by_date = {}, {}
    for pt in points:
        when, p = pt[0], pt[1]
        if p is not None and not pd.isna(p) and when is not None and not pd.isna(when):
            pts_by_date[pd.Timestamp(when)] = float(p)       # the last value of a date wins
            sim_by_date[pd.Timestamp(when)] = bool(pt[2]) if len(pt) > 2 and pt[2] is not None else False
    dates = sorted(pts_by_date)
    values = [pts_by_date[d] for d in dates]
    left, right, top, bottom = 48, 16, 14, 34
    pw, ph = width - left - right, height - top - bottom
    ymax = min(1.0, max(0.05, float(np.ceil(max(values) * 20) / 20))) if values else 0.05
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="P(loss) across snapshots" '
             f'class="timeline">']
    for frac in (0.0, 0.5, 1.0):
        y = top + ph * (1 - frac)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + pw}" y2="{y:.1f}" stroke="#ddd"/>')
        digits = 0 if ymax >= 0.1 else 1
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">'
                     f'{100 * ymax * frac:.{digits}f}%</text>')
    if dates:
        t0, t1 = dates[0], dates[-1]
        span = max((t1 - t0).days, 1)
        xs = [left + (pw * (d - t0).days / span if len(dates) > 1 else pw / 2) for d in dates]
        ys = [top + ph * (1 - v / ymax) for v in values]
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys))
        parts.append(f'<polyline fill="none" stroke="#c0392b" stroke-width="2" points="{line}"/>')
        for x, y, d, v in zip(xs, ys, dates, values):
            sim = sim_by_date[d]
            fill = 'fill="#fff" stroke="#c0392b" stroke-width="1.5" class="simulated"' if sim else 'fill="#c0392b"'
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" {fill}>'
                         f'<title>{d.date().isoformat()}: {100 * v:.1f}%{" (simulated)" if sim else ""}</title></circle>')
        parts.append(f'<text x="{left}" y="{height - 10}" font-size="11">{t0.date().isoformat()}</text>')
        if len(dates) > 1:
            parts.append(f'<text x="{left + pw}" y="{height - 10}" font-size="11" text-anchor="end">'
                         f'{t1.date().isoformat()}</text>')
    parts.append("</svg>")
    return "".join(parts)
