"""The Conversations engine: rules (core), create and reply paths, JSON, routes."""
