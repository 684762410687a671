"""`python -m cuetui` runs the same entry point as the `cuetui` command."""

import sys

from cuetui.cli import main

sys.exit(main())
