"""Shared vocabulary of every domain: money, time, errors, settings. Standard library only."""
