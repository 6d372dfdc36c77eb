from __future__ import annotations

from policylint.cli import main

if __name__ == "__main__":  # not when a worker process (`readpool`) imports the main module again
    raise SystemExit(main())
