from __future__ import annotations

from policylint.cli import main

raise SystemExit(main())
