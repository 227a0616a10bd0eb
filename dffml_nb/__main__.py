"""``python -m dffml_nb`` is the ``dffml-nb`` command."""

import sys

from dffml_nb.cli import main

sys.exit(main())
