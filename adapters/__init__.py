"""Adapters translate chat platforms to the core's neutral commands and messages, and back."""
