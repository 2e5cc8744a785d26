"""`python -m whuffie` is the `whuffie` command."""

import sys

from whuffie.cli import main

sys.exit(main())
