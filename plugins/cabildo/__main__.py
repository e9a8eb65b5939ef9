import sys

from .pelican.build import main

sys.exit(main())
