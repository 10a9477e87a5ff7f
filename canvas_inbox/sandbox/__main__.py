"""``python -m canvas_inbox.sandbox``: the sandbox alone (see sandbox/cli.py)."""

from canvas_inbox.sandbox.cli import main

raise SystemExit(main())
