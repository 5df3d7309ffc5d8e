"""Charts for the site: an inline SVG timeline of P(loss) (the calibration plot: ``publish.checking``)."""
from __future__ import annotations

import numpy as np
import pandas as pd


#: line colours of successive models on a race's chart (the first model red, the next blue, ...)
SERIES_COLOURS = ("#c0392b", "#2c6fbb", "#7d3c98", "#1e8449")


def p_loss_svg(points, width: int = 560, height: int = 220) -> str:
    """Inline SVG of P(loss) across a race's snapshots; ``points`` = [(as_of, p_loss[, simulated[,
    model]]), ...].

    Each model (the fourth item) gets its own line and colour, and a dashed vertical rule marks the
    date a new model took over: two models' numbers are never joined as one movement.  Simulated
    snapshots are drawn as hollow circles and say so in their tooltip.  The markup contains no text
    from data (dates are formatted by us), so it is safe to embed.
    """
    pts_by_date, sim_by_date, model_by_date = {}, {}, {}
    for pt in points:
        when, p = pt[0], pt[1]
        if p is not None and not pd.isna(p) and when is not None and not pd.isna(when):
            pts_by_date[pd.Timestamp(when)] = float(p)       # the last value of a date wins
            sim_by_date[pd.Timestamp(when)] = bool(pt[2]) if len(pt) > 2 and pt[2] is not None else False
            model_by_date[pd.Timestamp(when)] = pt[3] if len(pt) > 3 else None
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
        # runs of consecutive snapshots of one model: one line each
        runs, order = [], []
        for i, d in enumerate(dates):
            m = model_by_date[d]
            if m not in order:
                order.append(m)
            if runs and runs[-1][0] == m:
                runs[-1][1].append(i)
            else:
                runs.append((m, [i]))
        for k, (m, idx) in enumerate(runs):
            colour = SERIES_COLOURS[order.index(m) % len(SERIES_COLOURS)]
            if k > 0:
                x = xs[idx[0]]
                parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + ph}" stroke="#888" '
                             f'stroke-dasharray="4 3" class="model-change"><title>new model from '
                             f'{dates[idx[0]].date().isoformat()}</title></line>')
            if len(idx) > 1:
                line = " ".join(f"{xs[i]:.1f},{ys[i]:.1f}" for i in idx)
                parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{line}"/>')
            for i in idx:
                d, v, x, y = dates[i], values[i], xs[i], ys[i]
                sim = sim_by_date[d]
                fill = (f'fill="#fff" stroke="{colour}" stroke-width="1.5" class="simulated"' if sim
                        else f'fill="{colour}"')
                parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" {fill}>'
                             f'<title>{d.date().isoformat()}: {100 * v:.1f}%{" (simulated)" if sim else ""}'
                             f'</title></circle>')
        parts.append(f'<text x="{left}" y="{height - 10}" font-size="11">{t0.date().isoformat()}</text>')
        if len(dates) > 1:
            parts.append(f'<text x="{left + pw}" y="{height - 10}" font-size="11" text-anchor="end">'
                         f'{t1.date().isoformat()}</text>')
    parts.append("</svg>")
    return "".join(parts)
