import sys
import time
from pathlib import Path

from features.table.store import load_table
from forecasting.evaluation.backtest import run_backtest
from forecasting.evaluation.scoreboard import scoreboard
from forecasting.evaluation.scoreboard_same_party import scoreboard_same_party, write_same_party
from forecasting.models import logit as L
from forecasting.models.registry import make_model

PG = ["prev_general_margin", "prev_general_same_party"]
t = load_table()
f = {"base_rate": lambda: make_model("base_rate"),
     "logit": lambda: make_model("logit"),
     "logit_prev_general": lambda: make_model("logit", contested_features=list(L.CONTESTED_FEATURES) + PG,
                                              loss_features=list(L.LOSS_FEATURES) + PG,
                                              share_features=list(L.SHARE_FEATURES) + PG)}
t0 = time.time()
r = run_backtest(t, f, money_modes=["preprimary"])
out = Path(sys.argv[1]); out.mkdir(parents=True, exist_ok=True)
r.predictions.to_csv(out / "predictions_all.csv", index=False)
b = scoreboard(r.predictions, r.timings)
b.to_csv(out / "scoreboard_first.csv", index=False)
print(b[b.cycle == "pooled"].to_string())
write_same_party(r.predictions, out)
s = scoreboard_same_party(r.predictions)
print(s[s.cycle == "pooled"].to_string())
print(time.time() - t0)
