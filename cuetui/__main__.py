"""`python -m cuetui` runs the same entry point as the `cuetui` command."""

import sys

try:
    from cuetui.cli import main
except KeyboardInterrupt:  # ctrl+c before cuetui has even loaded: no traceback, the usual status
    sys.exit(130)

sys.exit(main())
