"""``python -m forecasting.cli``: the same as the ``primary-forecast`` command."""
import sys

from forecasting.cli import main

sys.exit(main())
