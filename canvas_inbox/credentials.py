"""The access token: in the OS keyring, or CANVAS_INBOX_TOKEN."""
