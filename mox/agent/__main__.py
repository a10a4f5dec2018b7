"""`python -m mox.agent …`: run the reference MOX agent (stdlib only, no Django)."""

import sys

from .cli import main

sys.exit(main())
