import sys

from mypref_harness.cli import main

sys.exit(main())
