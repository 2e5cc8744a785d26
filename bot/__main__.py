"""`python -m bot` is the `whuffie` command."""

import sys

from bot.cli import main

sys.exit(main())
