"""`python -m certify.check FILE...`: one line per certificate."""
import sys

from .command import main

sys.exit(main())
