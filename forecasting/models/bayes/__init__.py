"""The Bayesian hurdle model (PyMC): ``design`` (covariates, groups, election rules, the arrays a fit
samples from), ``model`` (the PyMC model, fit, save/load), ``predictive`` (P(loss | contested) under
each rule), ``diagnostics`` (convergence checks and the model graph)."""
from forecasting.models.bayes.design import (
                                             CONTEST_CHALLENGER_SIGNALS,
                                             CONTEST_ONLY_FEATURES,
                                             CYCLE_PARTY_PREDICTORS,
                                             DEFAULT_FEATURES,
                                             FIELD_FEATURES,
                                             contest_stage_ok,
                                             cycle_party_predictors,
                                             runoff_threshold,
                                             share_stage_ok,
)
from forecasting.models.bayes.model import DEFAULT_MODEL_CONFIG, DEFAULT_SAMPLER_CONFIG, MODEL_VERSION, BayesHurdleModel

__all__ = ["BayesHurdleModel", "CONTEST_CHALLENGER_SIGNALS", "CONTEST_ONLY_FEATURES", "CYCLE_PARTY_PREDICTORS",
           "DEFAULT_FEATURES", "DEFAULT_MODEL_CONFIG", "DEFAULT_SAMPLER_CONFIG", "FIELD_FEATURES", "MODEL_VERSION",
           "contest_stage_ok", "cycle_party_predictors", "runoff_threshold", "share_stage_ok"]
