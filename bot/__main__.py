"""`python -m bot` runs the photo-finish command line."""

import sys

from bot.cli import main

sys.exit(main())
