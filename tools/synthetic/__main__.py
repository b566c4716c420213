"""``python -m tools.synthetic --rows N --seed S --output PATH``."""

import sys

from tools.synthetic.cli import main

sys.exit(main())
