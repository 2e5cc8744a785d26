"""Whuffie's core: use cases, store, scheduler and every word the bot says."""
