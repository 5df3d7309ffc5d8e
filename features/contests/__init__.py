"""Contests and results: who ran in which primary, the calendar, the members (sources of the central table)."""
