"""``python -m dffml_nb`` is the ``dffml-nb`` command."""

import os
import sys

# `python -m` puts the current directory first on sys.path, so a file there named
# like a module that a flow file names (or that we import lazily, such as yaml.py)
# would be imported — running whatever it holds. The installed `dffml-nb` command
# does not search the current directory; neither does this.
if sys.path and not getattr(sys.flags, "safe_path", False):
    if os.path.realpath(sys.path[0] or os.curdir) == os.path.realpath(os.getcwd()):
        del sys.path[0]

from dffml_nb.cli import main  # noqa: E402 - after the sys.path fix above

sys.exit(main())
