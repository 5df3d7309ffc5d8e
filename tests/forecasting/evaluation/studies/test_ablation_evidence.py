"""benchmarks/ablation_evidence.py: the measured J Street family and the section writer."""
from __future__ import annotations

import pandas as pd

from forecasting.evaluation.studies import ablation_evidence as ab


def test_jstreet_is_measured_alone_and_on_the_defaults_only():
    configs = ab.configurations(ab.available_families())
    assert "+outside_money_jstreet" in configs and "defaults + outside_money_jstreet" in configs
    for name in ("all evidence", "all - misconduct", "defaults"):
        groups, (loss, cont) = configs[name]
        assert "outside_money_jstreet" not in groups and not any("js_fec" in f for f in loss + cont), name
    # 'defaults' is the published evidence set: the 'all - misconduct' row plus the rematch (2026-12-04),
    # i.e. the model's own default groups and logit features
    from features.view.matrix import DEFAULT_GROUPS
    from forecasting.models import logit
    assert sorted(configs["defaults"][0]) == sorted(configs["all - misconduct"][0] + ["rematch"])
    assert sorted(configs["defaults"][0]) == sorted(DEFAULT_GROUPS)
    assert set(configs["defaults"][1][0]) == set(logit.EVIDENCE_LOSS)


def test_section_replaces_only_its_own_lines(tmp_path):
    out = tmp_path / "ablation.md"
    out.write_text("# Evidence ablation (issue #9)\n\n| config |\n|---|\n| current |\n\n## Theirs\n\nkeep me\n")
    pd.DataFrame({"config": ["current", "+ideology"], "brier": [0.1, 0.2]}).to_csv(out.with_suffix(".csv"),
                                                                                  index=False)
    scores = pd.DataFrame({"config": ["current", "+outside_money_jstreet"], "brier": [0.1, 0.3]})
    empty = pd.DataFrame(columns=["cycle", "state", "district", "incumbent", "rank"])
    for _ in range(2):                                    # re-running replaces the section, never duplicates
        ab._write_section(out, "Mine", scores, empty, empty.assign(y=[]), {}, {}, [2008, 2024])
    text = out.read_text()
    assert text.count("## Mine") == 1 and "## Theirs\n\nkeep me" in text and "| current |" in text
    csv = pd.read_csv(out.with_suffix(".csv"))
    assert csv["config"].tolist() == ["current", "+ideology", "+outside_money_jstreet"]   # 'current' kept
