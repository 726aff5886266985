"""Pure and low-level building blocks: no adapters, no services."""
