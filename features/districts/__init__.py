"""Districts and maps: demographics, presidential lean, the 2026 redistricting."""
