"""The central table: built from the sources (``build``), its schema and its committed store."""
