"""The live forecast: scoring a cycle as of a date, drivers, what-ifs, the snapshot store."""
