from canvas_inbox.cli import main

raise SystemExit(main())
