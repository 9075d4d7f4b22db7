"""Alerts: digests of new cases and their delivery."""
