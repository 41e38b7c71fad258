"""``python -m omics_magic.cli``: the same as the ``omics-magic`` command."""

from __future__ import annotations

import sys

from .main import main

if __name__ == "__main__":
    sys.exit(main())
