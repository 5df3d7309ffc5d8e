"""Shared kernel: paths, errors, constants, column names, raw-file reading, names, validation, atomic files."""
