"""The outside: command line (and later the API, the console and the importers)."""
