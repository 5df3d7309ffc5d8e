"""Turning raw public data into tidy, validated tables, and the model matrix."""
