"""``python -m bot`` runs the ``cto-bot`` command line."""

import sys

from bot.entrypoints.cli import main

sys.exit(main())
