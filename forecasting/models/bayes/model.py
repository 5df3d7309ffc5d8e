"""A hierarchical Bayesian hurdle model of House incumbents' renomination contests (PyMC).

Generative story, one row per incumbent who seeks renomination
-------------------------------------------------------------
1. **Contest** -- does a same-party challenger appear (any other candidate in all-candidate
   primaries)?  ``contested ~ Bernoulli(logit^-1(eta_c))``.
2. **Share** -- given a contest, the incumbent's first-round share ``s`` (share of all votes in
   top-two / top-four / jungle primaries, ``forecasting.models.targets.incumbent_share``):
   ``logit(s) ~ StudentT(nu, mu_s, sigma_s)``, a heavy-tailed logit-normal.
3. **Field** -- a single challenger?  ``P(k = 1 | s) = logit^-1(g0 + g1 (logit s - 1) + g2 all_cand)``.
   Used only while the number of candidates is unknown (before the filing deadline).
4. **Split** -- with ``k >= 2`` challengers the top one takes a fraction ``f`` of the non-incumbent
   vote, ``f ~ Beta(mean = logit^-1(c0 + c1 (logit s - 1) + c2 (log(k - 1) - m_k)), phi)``, so the top
   challenger's share is ``t = f (1 - s)`` (``t = 1 - s`` with one challenger).
5. **Runoff** -- where one is held, the incumbent's runoff share ``r``:
   ``logit(r) ~ Normal(logit(s / (s + t)) + delta, sigma_r)``.

Both ``eta_c`` and ``mu_s`` are ``X beta + party + cycle_party[c, p] + state[s]`` with

- ``X``: ``features.view.matrix`` covariates (``DEFAULT_FEATURES``), median-imputed with missing indicators
  and standardised on the training fold (``features.view.matrix.make_preprocessor``); missing indicators
  that merely mark a cycle without the source (R^2 on cycle > 0.8) and near-copies are dropped.  The
  number of candidates enters as log(challengers), separately for party and all-candidate primaries.
  P(contested) never sees the field (``n_candidates``, ``incumbent_vs_incumbent``) nor anything about
  a challenger (``*chal*``, the money ratio) but the top FEC registrant's receipts by the as-of date:
  the rest presupposes a contest.
- ``party``: R - D difference (party coded +-0.5).
- ``cycle_party = Z gamma + B d``: ``Z`` the national environment of the cycle for the party (midterm,
  president's party, out-party midterm; ``CYCLE_PARTY_PREDICTORS``), ``d ~ N(0, sd_cp)`` partially pooled
  deviations in the orthonormal complement ``B`` of [1, party, Z] (a generalised zero-sum constraint,
  so the deviations do not compete with the intercept, party and gamma).
- ``state ~ N(intercept + region[r(s)], sd_state)``, ``region = sd_region * ZeroSumNormal``: states
  partially pooled within census regions (``features.kernel.constants.CENSUS_REGION``).  The intercept lives
  in the state prior, so the (centred) state levels are pinned by ~100 rows each and the intercept by
  them.  Parametrisation (``centered_groups``) was chosen on the real table for mixing.

A cycle not seen in training (the forecast cycle of every backtest fold, the live cycle) gets, per
posterior draw, ``Z gamma + sd_cp * z``; a new state ``intercept + region + sd_state * z``: the
posterior predictive for a new group.

P(loss | contested) is the posterior predictive probability of losing under the state's rules:

- party primary decided by plurality (also conventions, which have no share): lost iff ``t > s``;
- majority-runoff states (``features.kernel.constants.RUNOFF_STATES``; 50%, North Carolina 40% and 30% from
  2018, South Dakota 35%) and the Louisiana jungle (50%): the leader wins outright above the threshold,
  a third place is a loss, otherwise the top two meet in a runoff, lost iff ``r < 0.5``;
- top-two (CA from 2012, WA from 2008) / top-four (AK from 2022): lost iff two (four) others finish
  ahead; the others' shares are drawn by breaking the non-incumbent vote with the split model
  (largest, then the largest of the rest, ...).  A lone opponent cannot eliminate the incumbent.

Member-vs-member primaries (``forecasting.models.pairs``): each member's share posterior alone
does not know that one of the two must lose (in the 2008-2024 backtest a pair's P(loss) summed to
anywhere between 0.28 and 1.86, and exactly one lost every time), so once the field is known the
pair's P(loss | contested) are rescaled to sum to one loser (``pair_rule``, as in the logit and
boosted models).

The predictive integrates analytically over ``f`` (plurality) and ``r`` (runoffs) and by Monte Carlo
over the share noise and the top-two splits, with common random numbers seeded by
``sampler_config['random_seed']``: a row's prediction does not depend on the other rows in its batch,
and the same seed gives the same numbers.

Priors (``DEFAULT_MODEL_CONFIG``; logit scale; slopes per training-fold sd of a covariate)
----------------------------------------------------------------------------------------------
- contest intercept N(-0.4, 1): 25-55% of incumbents draw a same-party challenger (logit 0.4 = -0.4);
  slopes N(0, 1): with ~4,700 rows the data dominate; gamma N(0, 0.5); group scales HalfNormal(0.5):
  the contested rate moves between ~25% and ~60% across cycles, about 0.4 on the logit scale, and
  ballot-access rules make states differ as much;
- share intercept N(1.0, 0.5): contested incumbents average ~70-75% (logit 0.73 = 1.0); slopes
  N(0, 0.5) (one sd moving 73% to 62% is already a large effect); gamma N(0, 0.3); group scales
  HalfNormal(0.3); sigma_s ~ HalfNormal(1), nu ~ Gamma(2, 0.1) (Juarez & Steel: mean 20, admits heavy
  tails).  With mu = 1 and sigma ~ 0.8, ~5-10% of contested incumbents fall below 50%, in line with
  the 3-7% of contested races lost in 2002-2022 (several-challenger fields split the opposition);
- field: g0 ~ N(0, 1.5), slopes N(0, 1); split: c0 ~ N(1, 1) (the top challenger takes about
  two-thirds to three-quarters of the non-incumbent vote), c1, c2 ~ N(0, 0.5), phi ~ Gamma(2, 0.2);
- runoff: delta ~ N(0, 0.5) (no assumed runoff penalty or bonus), sigma_r ~ HalfNormal(0.5).

Learned state: ``idata_`` (posterior), ``preprocessor_`` (the fitted feature pipeline),
``feature_columns_``, ``levels_`` (group labels), ``fit_diagnostics_`` (max R-hat, min bulk/tail ESS,
divergences, sampling seconds, sampler), ``data_shape_``.  ``save``/``load`` write/read NetCDF.
"""
from __future__ import annotations

import base64
import copy
import hashlib
import json
import pickle
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import special

from features.kernel.constants import CENSUS_REGION
from features.view.matrix import make_preprocessor, model_frame
from forecasting.models import targets
from forecasting.models.base import QUANTILE_LEVELS, PrimaryModel
from forecasting.models.bayes.design import (
    _ALL_GROUPS,
    _FEATURE_GROUP,
    CYCLE_PARTY_PREDICTORS,
    DEFAULT_FEATURES,
    _group_labels,
    _informative_columns,
    _known_challengers,
    _party_code,
    _rules,
    _training_data,
    contest_stage_ok,
    cycle_party_predictors,
    share_stage_ok,
)
from forecasting.models.bayes.predictive import _CHUNK, _label_rng, _loss_probability
from forecasting.models.pairs import apply_pair_rule

#: bump when the model's structure changes: saved posteriors of another version are refused
MODEL_VERSION = "3"

DEFAULT_MODEL_CONFIG: dict = {
    # 1. P(contested)
    "contest_intercept": {"mu": -0.4, "sigma": 1.0},
    "contest_beta_sigma": 1.0,
    "contest_party_sigma": 0.5,
    "contest_group_sd_sigma": {"cycle_party": 0.5, "region": 0.5, "state": 0.5},
    "contest_cycle_party_beta_sigma": 0.5,
    # 2. incumbent share | contested (logit scale)
    "share_intercept": {"mu": 1.0, "sigma": 0.5},
    "share_beta_sigma": 0.5,
    "share_party_sigma": 0.3,
    "share_group_sd_sigma": {"cycle_party": 0.3, "region": 0.3, "state": 0.3},
    "share_cycle_party_beta_sigma": 0.3,
    "share_sigma_sigma": 1.0,
    "share_nu": {"alpha": 2.0, "beta": 0.1},
    # 3-4. the field: a single challenger; the top challenger's fraction of the non-incumbent vote
    "single_intercept": {"mu": 0.0, "sigma": 1.5},
    "single_slope_sigma": 1.0,
    "split_intercept": {"mu": 1.0, "sigma": 1.0},
    "split_slope_sigma": 0.5,
    "split_phi": {"alpha": 2.0, "beta": 0.2},
    # 5. runoff
    "runoff_delta": {"mu": 0.0, "sigma": 0.5},
    "runoff_sigma_sigma": 0.5,
    # partially pooled groups (any of cycle_party, region, state)
    "pooled_groups": ["cycle_party", "region", "state"],
    # centred where the data pin each level down (~100 rows a state; ~75 contested rows a cycle x party
    # in the share stage), non-centred where they do not (regions: 4 levels; contest cycle x party)
    "centered_groups": {"contest": ["state"], "share": ["state", "cycle_party"]},
    # posterior predictive: Monte Carlo replicates of the share noise per posterior draw
    "predictive_reps": 4,
}

DEFAULT_SAMPLER_CONFIG: dict = {
    "draws": 1000,
    "tune": 1000,
    "chains": 2,
    "target_accept": 0.85,
    "sampler": "nutpie",
    "random_seed": 20260101,
}


class BayesHurdleModel(PrimaryModel):
    """Hierarchical Bayesian hurdle: P(contested), incumbent share | contested, P(loss) by the rules.

    Parameters
    ----------
    model_config : dict, optional
        Priors, pooled groups and their parametrisation; keys override ``DEFAULT_MODEL_CONFIG``
        (module docstring).
    sampler_config : dict, optional
        ``draws``, ``tune``, ``chains``, ``target_accept``, ``sampler`` ('nutpie' or 'pymc'),
        ``random_seed``, optional ``cores`` and ``backend`` (nutpie's compiler: 'numba', the default,
        or 'jax', which compiles in seconds instead of ~40 s and samples more slowly:
        ``reports/benchmarks_bayes.md``); keys override ``DEFAULT_SAMPLER_CONFIG``.
    features : list of str, optional
        ``features.view.matrix`` feature names; default ``DEFAULT_FEATURES``.
    random_seed : int, optional
        Overrides ``sampler_config['random_seed']`` (experiment configs pass it separately).
    pair_rule : bool
        Rescale member-vs-member primaries so one of the two loses (``forecasting.models.pairs``),
        as the logit and boosted models do.  Without it each member's P(loss | contested) comes from
        their own share posterior and a pair's sum ranged 0.28-1.86 in the backtest (one always lost).
        Prediction only: it does not change the posterior (nor ``config_id``).
    """

    #: the keys its nested settings take (``forecasting.models.settings`` refuses others at load time)
    NESTED_SETTINGS = {"model_config": tuple(DEFAULT_MODEL_CONFIG),
                       "sampler_config": (*DEFAULT_SAMPLER_CONFIG, "cores", "backend")}

    name = "bayes"

    def __init__(self, model_config: dict | None = None, sampler_config: dict | None = None,
                 features: list[str] | None = None, random_seed: int | None = None,
                 pair_rule: bool = True):
        self.model_config = model_config
        self.sampler_config = sampler_config
        self.features = features
        self.random_seed = random_seed
        self.pair_rule = pair_rule

    # ---- configuration --------------------------------------------------------------------
    @property
    def full_model_config(self) -> dict:
        """``DEFAULT_MODEL_CONFIG`` updated with ``model_config`` (nested dicts merged)."""
        cfg = _merge(DEFAULT_MODEL_CONFIG, self.model_config)
        unknown = set(cfg) - set(DEFAULT_MODEL_CONFIG)
        if unknown:
            raise ValueError(f"unknown model_config keys: {sorted(unknown)}")
        bad = set(cfg["pooled_groups"]) - set(_ALL_GROUPS)
        if bad:
            raise ValueError(f"pooled_groups must be among {_ALL_GROUPS}, got {sorted(bad)}")
        return cfg

    @property
    def full_sampler_config(self) -> dict:
        """``DEFAULT_SAMPLER_CONFIG`` updated with ``sampler_config`` (and ``random_seed``)."""
        cfg = _merge(DEFAULT_SAMPLER_CONFIG, self.sampler_config)
        if self.random_seed is not None:
            cfg["random_seed"] = int(self.random_seed)
        if cfg["sampler"] not in ("nutpie", "pymc"):
            raise ValueError(f"sampler must be 'nutpie' or 'pymc', got {cfg['sampler']!r}")
        if cfg.get("backend", "numba") not in ("numba", "jax") or ("backend" in cfg and cfg["sampler"] != "nutpie"):
            raise ValueError(f"backend is nutpie's compiler, 'numba' or 'jax'; got {cfg.get('backend')!r} "
                             f"with sampler {cfg['sampler']!r}")
        return cfg

    @property
    def feature_names(self) -> list[str]:
        feats = list(DEFAULT_FEATURES if self.features is None else self.features)
        unknown = [f for f in feats if f not in _FEATURE_GROUP]
        if unknown:
            raise ValueError(f"unknown features {unknown}; see features.view.matrix.FEATURES")
        return feats

    def config_id(self) -> str:
        """Hash of the model version, effective model config and features: what a posterior means."""
        blob = json.dumps({"version": MODEL_VERSION, "model_config": self.full_model_config,
                           "features": self.feature_names}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    # ---- fitting --------------------------------------------------------------------------
    def _design(self, view: pd.DataFrame) -> pd.DataFrame:
        feats = self.feature_names
        groups = tuple(dict.fromkeys(_FEATURE_GROUP[f] for f in feats))
        frame = model_frame(view, groups)[feats]
        if "n_candidates" in frame.columns:
            # log(number of challengers), unknown for an uncontested or not-yet-known field; split by
            # system, because in all-candidate primaries the other party's candidates count too
            n = frame["n_candidates"]
            k = np.log((n - 1).where(n >= 2))
            all_cand = targets.all_candidate_primary(view).to_numpy(dtype=bool)
            frame["n_candidates"] = k.where(~all_cand)
            frame["n_candidates_all"] = k.where(all_cand)
        return frame

    def _fit(self, table: pd.DataFrame) -> None:
        import pymc as pm

        cfg = self.full_model_config
        scfg = self.full_sampler_config
        frame = self._design(table)
        self.preprocessor_ = make_preprocessor().fit(frame)
        X = self.preprocessor_.transform(frame)
        self.feature_columns_ = _informative_columns(X, table["cycle"].to_numpy())
        X = X[self.feature_columns_]
        self.levels_ = {g: sorted(set(_group_labels(table, g)))
                        for g in _ALL_GROUPS if g in cfg["pooled_groups"]}
        data = _training_data(table, X.to_numpy(dtype=float), self.feature_columns_, self.levels_)
        self.split_logk_mean_ = data["split_logk_mean"]
        self.allcand_k_ = data["allcand_k"]
        self.data_shape_ = data["shape"]
        self.model_ = _build_model(data, cfg, self.levels_, self.feature_columns_)

        chains = int(scfg["chains"])
        kwargs = dict(draws=int(scfg["draws"]), tune=int(scfg["tune"]), chains=chains,
                      cores=int(scfg.get("cores", min(chains, 2))), target_accept=float(scfg["target_accept"]),
                      random_seed=int(scfg["random_seed"]),
                      progressbar=sys.stderr.isatty(),      # the sampler's bar on a terminal, not in logs
                      compute_convergence_checks=False)
        if scfg["sampler"] == "nutpie":
            kwargs["nuts_sampler"] = "nutpie"
            if scfg.get("backend", "numba") != "numba":
                kwargs["nuts_sampler_kwargs"] = {"backend": scfg["backend"], "gradient_backend": scfg["backend"]}
        t0 = time.perf_counter()
        with self.model_:
            idata = pm.sample(**kwargs)
        seconds = time.perf_counter() - t0
        self.idata_ = _clean_idata(idata)

        from forecasting.models.bayes.diagnostics import diagnostics_summary

        diag = diagnostics_summary(self.idata_)
        backend = scfg.get("backend", "numba") if scfg["sampler"] == "nutpie" else "c"
        diag.update(sampler=scfg["sampler"], backend=backend, sampling_seconds=round(seconds, 2),
                    draws=kwargs["draws"], tune=kwargs["tune"], chains=chains,
                    target_accept=kwargs["target_accept"])
        self.fit_diagnostics_ = diag

    # ---- prediction -----------------------------------------------------------------------
    def _predict_parts(self, table: pd.DataFrame) -> dict[str, np.ndarray]:
        if not hasattr(self, "idata_"):
            raise RuntimeError("BayesHurdleModel is not fitted")
        cfg = self.full_model_config
        seed = int(self.full_sampler_config["random_seed"])
        post = _flat_posterior(self.idata_)
        n = len(table)
        X = self.preprocessor_.transform(self._design(table))[self.feature_columns_].to_numpy(dtype=float)
        cmask = np.array([contest_stage_ok(c) for c in self.feature_columns_], dtype=bool)
        smask = np.array([share_stage_ok(c) for c in self.feature_columns_], dtype=bool)
        isR = _party_code(table)
        labels = {g: _group_labels(table, g) for g in self.levels_}

        nested = "state" in self.levels_ and "region" in self.levels_
        has_state = "state" in self.levels_
        regions = {r: j for j, r in enumerate(self.levels_.get("region", []))}

        def group_effect(prefix: str, group: str) -> np.ndarray:
            """(D, n): each row's group effect; unseen groups drawn from the hierarchical prior."""
            sd = post[f"{prefix}_{group}_sd"]
            fitted = post[f"{prefix}_{group}"]
            known = {lab: j for j, lab in enumerate(self.levels_[group])}
            out = np.empty((len(sd), n))
            for lab in pd.unique(labels[group]):
                cols = labels[group] == lab
                if lab in known:
                    effect = fitted[:, known[lab]]
                else:
                    effect = sd * _label_rng(seed, prefix + group, lab).standard_normal(len(sd))
                    if group == "cycle_party":          # a new cycle: its national environment + noise
                        effect = effect + post[f"{prefix}_cycle_party_beta"] @ cycle_party_predictors([lab])[0]
                    if group == "state":                # a new state: intercept + its region + noise
                        effect = effect + post[f"{prefix}_intercept"]
                        if nested:
                            effect = effect + post[f"{prefix}_region"][:, regions[CENSUS_REGION[lab]]]
                out[:, cols] = effect[:, None]
            return out

        def linear(prefix: str, Xp: np.ndarray) -> np.ndarray:
            eta = post[f"{prefix}_party_R"][:, None] * isR[None, :]
            if not has_state:                               # else the state levels carry it
                eta = eta + post[f"{prefix}_intercept"][:, None]
            if Xp.shape[1]:
                eta = eta + post[f"{prefix}_beta"] @ Xp.T
            for g in self.levels_:
                if not (g == "region" and nested):          # regions enter through the states
                    eta = eta + group_effect(prefix, g)
            return eta

        p_contested = special.expit(linear("contest", X[:, cmask])).mean(axis=0)
        mu_s = linear("share", X[:, smask])                          # (D, n)

        rules = _rules(table)
        k_known = _known_challengers(table)
        reps = int(cfg["predictive_reps"])
        rng = np.random.default_rng([seed, 7])
        D = mu_s.shape[0]
        nu = post["share_nu"][:, None]
        # common random numbers: one student-t noise per (posterior draw, replicate), shared by rows
        noise = rng.standard_normal((D, reps)) / np.sqrt(rng.chisquare(np.repeat(nu, reps, axis=1)) / nu)
        u_split = rng.uniform(size=(4, D, reps))
        sigma = post["share_sigma"][:, None]

        p_loss, s_mean = np.empty(n), np.empty(n)
        qs = np.empty((n, len(QUANTILE_LEVELS)))
        # rows sharing a rule and a known field size are computed together, in chunks: arrays are
        # (rows, D, R) and every row's numbers come from its own contiguous block (batch-independent)
        keys = [(r["kind"], r["threshold"], r["all_candidate"], -1.0 if np.isnan(k) else float(k))
                for r, k in zip(rules, k_known)]
        for key in sorted(set(keys)):
            members = np.flatnonzero([kk == key for kk in keys])
            for start in range(0, len(members), _CHUNK):
                rows = members[start:start + _CHUNK]
                ls = mu_s[:, rows].T[:, :, None] + (sigma * noise)[None, :, :]   # (m, D, R) logit share
                s = special.expit(ls)
                loss = _loss_probability(ls, s, post, rules[rows[0]], k_known[rows[0]], u_split,
                                         self.split_logk_mean_, self.allcand_k_)
                flat = s.reshape(len(rows), -1)
                p_loss[rows] = loss.reshape(len(rows), -1).mean(axis=1)
                qs[rows] = np.quantile(flat, QUANTILE_LEVELS, axis=1).T
                s_mean[rows] = flat.mean(axis=1)
        if self.pair_rule:
            p_loss = apply_pair_rule(table, p_loss)
        return {"p_contested": p_contested, "p_loss_if_contested": p_loss,
                "share_quantiles": qs, "share_mean": s_mean}

    # ---- persistence ----------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Write the posterior as NetCDF, with the configs and the fitted state as attributes."""
        if not hasattr(self, "idata_"):
            raise RuntimeError("BayesHurdleModel is not fitted")
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        idata = copy.deepcopy(self.idata_)
        state = {"feature_columns_": self.feature_columns_, "levels_": self.levels_,
                 "split_logk_mean_": self.split_logk_mean_, "allcand_k_": self.allcand_k_,
                 "fit_diagnostics_": self.fit_diagnostics_,
                 "data_shape_": self.data_shape_, "n_train_": getattr(self, "n_train_", None),
                 "train_cycles_": getattr(self, "train_cycles_", None)}
        idata.posterior.attrs.update({
            "model_class": type(self).__name__,
            "model_version": MODEL_VERSION,
            "config_id": self.config_id(),
            "model_config": json.dumps(self.model_config, sort_keys=True),
            "sampler_config": json.dumps(self.sampler_config, sort_keys=True),
            "features": json.dumps(self.features),
            "random_seed": json.dumps(self.random_seed),
            "pair_rule": json.dumps(bool(self.pair_rule)),
            "fitted_state": json.dumps(state, default=_json_default),
            "preprocessor": base64.b64encode(pickle.dumps(self.preprocessor_)).decode("ascii"),
            # the second target's November stage (a small scikit-learn model)
            "same_party_stage": base64.b64encode(pickle.dumps(getattr(self, "same_party_", None))).decode("ascii"),
        })
        idata.to_netcdf(str(path))
        meta = {"class": type(self).__name__, "name": self.name, "format": "netcdf",
                "model_version": MODEL_VERSION, "config_id": self.config_id(),
                "params": {k: v for k, v in self.get_params().items()},
                "fit_diagnostics": self.fit_diagnostics_}
        path.with_suffix(path.suffix + ".json").write_text(
            json.dumps(meta, indent=2, sort_keys=True, default=_json_default))
        return path

    def __getstate__(self):
        """Pickle without the PyMC model object (rebuilt from data when needed, not for prediction)."""
        state = dict(self.__dict__)
        state.pop("model_", None)
        return state

    def content_state(self) -> dict:
        """What identifies this fit (``forecasting.models.identity.model_content_hash``): the pickled state with
        the posterior reduced to its draws (not the creation time and sampling time ArviZ records) and
        the diagnostics without the wall-clock sampling seconds -- so the same config, data and seed give
        the same identity and a re-run of ``make run`` records nothing new."""
        state = self.__getstate__()
        idata = state.pop("idata_", None)
        if idata is not None:
            digest = hashlib.sha256()
            for name in sorted(idata.posterior.data_vars):
                values = np.ascontiguousarray(idata.posterior[name].values)
                digest.update(name.encode() + str(values.shape).encode() + values.tobytes())
            state["idata_"] = digest.hexdigest()
        if "fit_diagnostics_" in state:
            state["fit_diagnostics_"] = {k: v for k, v in state["fit_diagnostics_"].items()
                                         if k != "sampling_seconds"}
        return state

    @classmethod
    def load(cls, path: str | Path, model_config: dict | None = None, sampler_config: dict | None = None,
             features: list[str] | None = None, random_seed: int | None = None) -> "BayesHurdleModel":
        """Load a model written by :meth:`save`.

        Given ``model_config`` / ``features`` / ``sampler_config`` / ``random_seed``, refuse
        (ValueError) a posterior fitted under a different configuration; always refuse a file of
        another model class or version.
        """
        import arviz as az

        raw = az.from_netcdf(str(path))
        idata = az.InferenceData(**{g: raw[g].load() for g in raw.groups()})
        attrs = idata.posterior.attrs
        if attrs.get("model_class") != cls.__name__:
            raise TypeError(f"{path}: holds a {attrs.get('model_class')!r}, not a {cls.__name__}")
        if attrs.get("model_version") != MODEL_VERSION:
            raise ValueError(f"{path}: model version {attrs.get('model_version')!r}, "
                             f"this code is version {MODEL_VERSION!r}")
        saved = cls(model_config=json.loads(attrs["model_config"]),
                    sampler_config=json.loads(attrs["sampler_config"]),
                    features=json.loads(attrs["features"]), random_seed=json.loads(attrs["random_seed"]),
                    pair_rule=json.loads(attrs.get("pair_rule", "false")))
        if saved.config_id() != attrs.get("config_id"):
            raise ValueError(f"{path}: the configuration attributes do not match their id")
        wanted = cls(model_config=model_config, sampler_config=sampler_config, features=features,
                     random_seed=random_seed)
        if (model_config is not None or features is not None) and wanted.config_id() != saved.config_id():
            raise ValueError(f"{path}: fitted with a different model_config/features "
                             f"({attrs['model_config']}, {attrs['features']}); refusing to load it")
        if (sampler_config is not None or random_seed is not None) \
                and wanted.full_sampler_config != saved.full_sampler_config:
            raise ValueError(f"{path}: sampled with a different sampler_config "
                             f"({saved.full_sampler_config}); refusing to load it")
        for key, value in json.loads(attrs["fitted_state"]).items():
            if value is not None:
                setattr(saved, key, value)
        saved.preprocessor_ = pickle.loads(base64.b64decode(attrs["preprocessor"]))
        if attrs.get("same_party_stage"):
            saved.same_party_ = pickle.loads(base64.b64decode(attrs["same_party_stage"]))
        saved.idata_ = idata
        return saved


def _build_model(data: dict, cfg: dict, levels: dict, columns: list[str]):
    """The PyMC model.  Every array enters as ``pm.Data``, so the compiled log-density does not embed
    the data (numba caches the kernels of single operations; nutpie still compiles the whole
    log-density for every fit: ~40 s with numba, ~5 s with JAX)."""
    import pymc as pm
    import pytensor.tensor as pt

    cmask = np.array([contest_stage_ok(c) for c in columns], dtype=bool)
    coords = {"feature": [c for c in columns if share_stage_ok(c)],
              "contest_feature": [c for c, m in zip(columns, cmask) if m],
              "cycle_party_predictor": list(CYCLE_PARTY_PREDICTORS), **{g: levels[g] for g in levels}}
    if data["cp_B"] is not None:
        coords["cycle_party_basis"] = list(range(data["cp_B"].shape[1]))

    def linear(prefix: str, X: np.ndarray, rows: np.ndarray, feat_dim: str):
        icfg = cfg[f"{prefix}_intercept"]
        intercept = pm.Normal(f"{prefix}_intercept", icfg["mu"], icfg["sigma"])
        party = pm.Normal(f"{prefix}_party_R", 0.0, cfg[f"{prefix}_party_sigma"])
        eta = party * pm.Data(f"{prefix}_isR", data["isR"][rows])
        if "state" not in levels:
            eta = eta + intercept
        if X.shape[1]:
            beta = pm.Normal(f"{prefix}_beta", 0.0, cfg[f"{prefix}_beta_sigma"], dims=feat_dim)
            eta = eta + pt.dot(pm.Data(f"{prefix}_X", X[rows]), beta)
        effects = {}
        for g in levels:
            sd = pm.HalfNormal(f"{prefix}_{g}_sd", cfg[f"{prefix}_group_sd_sigma"][g])
            centered = g in cfg["centered_groups"][prefix]
            if g == "state":
                # states nested in regions: state level ~ N(intercept + its region's effect, sd).
                # The intercept lives in the state prior, not in the likelihood: with ~100 rows a
                # state, the (centred) state levels are pinned by the data and the intercept by them.
                mean = intercept + (effects["region"][data["state_region"]] if "region" in levels else 0.0)
                if centered:
                    effects[g] = pm.Normal(f"{prefix}_{g}", mean, sd, dims=g)
                else:
                    z = pm.Normal(f"{prefix}_{g}_z", 0.0, 1.0, dims=g)
                    effects[g] = pm.Deterministic(f"{prefix}_{g}", mean + sd * z, dims=g)
            elif g == "cycle_party":
                # the national environment predicts the cycle x party levels
                gamma = pm.Normal(f"{prefix}_cycle_party_beta", 0.0, cfg[f"{prefix}_cycle_party_beta_sigma"],
                                  dims="cycle_party_predictor")
                # deviations live in the orthonormal complement of [1, party, Z] (a generalised
                # zero-sum constraint): the intercept, the party effect and gamma carry those
                # directions, so none of them competes with the deviations
                level = pt.dot(data["cp_Z"], gamma)
                if data["cp_B"].shape[1]:        # none left when [1, party, Z] spans the groups
                    dev = (pm.Normal(f"{prefix}_{g}_dev", 0.0, sd, dims="cycle_party_basis") if centered
                           else sd * pm.Normal(f"{prefix}_{g}_z", 0.0, 1.0, dims="cycle_party_basis"))
                    level = level + pt.dot(data["cp_B"], dev)
                effects[g] = pm.Deterministic(f"{prefix}_{g}", level, dims=g)
            elif centered:      # zero-sum: the intercept carries the mean
                effects[g] = pm.ZeroSumNormal(f"{prefix}_{g}", sigma=sd, dims=g)
            else:
                z = pm.ZeroSumNormal(f"{prefix}_{g}_z", sigma=1.0, dims=g)
                effects[g] = pm.Deterministic(f"{prefix}_{g}", sd * z, dims=g)
        for g in levels:
            if g == "region" and "state" in levels:
                continue        # enters through the states
            eta = eta + effects[g][pm.Data(f"{prefix}_{g}_idx", data["idx"][g][rows])]
        return eta

    with pm.Model(coords=coords) as model:
        # 1. contested
        rc = data["c_rows"]
        eta_c = linear("contest", data["Xc"], rc, "contest_feature")
        pm.Bernoulli("contested_obs", logit_p=eta_c, observed=pm.Data("contested_y", data["c_y"][rc]))

        # 2. incumbent share | contested: heavy-tailed logit-normal
        rs = data["s_rows"]
        mu_s = linear("share", data["X"], rs, "feature")
        sigma = pm.HalfNormal("share_sigma", cfg["share_sigma_sigma"])
        nu = pm.Gamma("share_nu", cfg["share_nu"]["alpha"], cfg["share_nu"]["beta"])
        pm.StudentT("share_obs", nu=nu, mu=mu_s, sigma=sigma, observed=pm.Data("share_y", data["s_y"][rs]))

        # 3. a single challenger, given the share
        r1 = data["single_rows"]
        g0 = pm.Normal("single_intercept", cfg["single_intercept"]["mu"], cfg["single_intercept"]["sigma"])
        g1 = pm.Normal("single_slope", 0.0, cfg["single_slope_sigma"])
        g2 = pm.Normal("single_all_candidate", 0.0, cfg["single_slope_sigma"])
        if r1.any():
            x1 = pm.Data("single_x", data["s_y"][r1] - 1.0)
            a1 = pm.Data("single_allcand", data["all_cand"][r1])
            pm.Bernoulli("single_obs", logit_p=g0 + g1 * x1 + g2 * a1,
                         observed=pm.Data("single_y", data["single_y"][r1]))

        # 4. the top challenger's fraction of the non-incumbent vote
        r2 = data["split_rows"]
        c0 = pm.Normal("split_intercept", cfg["split_intercept"]["mu"], cfg["split_intercept"]["sigma"])
        c1 = pm.Normal("split_slope", 0.0, cfg["split_slope_sigma"])
        c2 = pm.Normal("split_logk", 0.0, cfg["split_slope_sigma"])
        phi = pm.Gamma("split_phi", cfg["split_phi"]["alpha"], cfg["split_phi"]["beta"])
        if r2.any():
            x2 = pm.Data("split_x", data["s_y"][r2] - 1.0)
            k2 = pm.Data("split_k", data["logk_c"][r2])
            m = pm.math.invlogit(c0 + c1 * x2 + c2 * k2)
            pm.Beta("split_obs", alpha=m * phi, beta=(1 - m) * phi,
                    observed=pm.Data("split_y", data["split_y"][r2]))

        # 5. runoff share
        r3 = data["run_rows"]
        delta = pm.Normal("runoff_delta", cfg["runoff_delta"]["mu"], cfg["runoff_delta"]["sigma"])
        sd_r = pm.HalfNormal("runoff_sigma", cfg["runoff_sigma_sigma"])
        if r3.any():
            pm.Normal("runoff_obs", mu=pm.Data("runoff_x", data["run_x"][r3]) + delta, sigma=sd_r,
                      observed=pm.Data("runoff_y", data["run_y"][r3]))
    return model


# ---- helpers ----------------------------------------------------------------------------------
def _clean_idata(idata):
    """Keep the posterior (constrained variables only) and the sample stats."""
    import arviz as az

    post = idata.posterior
    post = post[[v for v in post.data_vars if not str(v).endswith("__")]]
    groups = {"posterior": post}
    if "sample_stats" in idata.groups():
        groups["sample_stats"] = idata.sample_stats
    return az.InferenceData(**groups)


def _flat_posterior(idata) -> dict[str, np.ndarray]:
    """Posterior variables stacked over (chain, draw): scalars (D,), vectors (D, K)."""
    out = {}
    for name, da in idata.posterior.data_vars.items():
        arr = np.asarray(da.values, dtype=float)
        out[str(name)] = arr.reshape(arr.shape[0] * arr.shape[1], *arr.shape[2:])
    return out


def _merge(default: dict, override: dict | None) -> dict:
    out = copy.deepcopy(default)
    for k, v in (override or {}).items():
        out[k] = {**out[k], **v} if isinstance(v, dict) and isinstance(out.get(k), dict) else copy.deepcopy(v)
    return out


def _json_default(o):
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(f"not JSON serialisable: {type(o)}")
