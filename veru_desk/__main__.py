"""``python -m veru_desk``: the same as the ``veru-desk`` command."""

from __future__ import annotations

import sys

from veru_desk.launch import main

if __name__ == "__main__":
    sys.exit(main())
