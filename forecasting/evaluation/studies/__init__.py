"""Studies behind what the models adopt: feature ablations, the skill budget (where the loss sits), the
two-target combination. Each writes a report under ``reports/``; ``benchmarks/<name>.py`` runs it."""
