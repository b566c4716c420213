"""``python -m customer_segmentation.synthetic --rows N --seed S --output PATH``."""

import sys

from customer_segmentation.synthetic.cli import main

sys.exit(main())
