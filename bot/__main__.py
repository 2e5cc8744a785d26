"""`python -m bot` is the `whuffie` command, kept as the documented alias of the console script.

The command line belongs to the composition root (`whuffie/`); this module only hands over.
"""

import sys

from whuffie.cli import main

sys.exit(main())
