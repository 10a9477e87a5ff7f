"""canvas-inbox: a keyboard-driven terminal mail client for the Canvas LMS Inbox."""

__version__ = "0.1.0"
