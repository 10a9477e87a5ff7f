"""Profiles and settings in a TOML file (never the token)."""
