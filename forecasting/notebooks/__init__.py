"""What the notebooks call: race and comparison helpers, running notebooks with papermill."""
