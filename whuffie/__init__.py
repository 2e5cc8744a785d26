"""The composition root: reads settings, builds the store, the core and the adapters, runs them.

It is the one place that knows which parts make up a running bot; the core (`bot/`) and the
matcher (`matching/`) never name a platform.
"""
