import sys

from .pelican.cli import main

sys.exit(main())
