"""The use cases: one module per feature, each command one transaction."""
