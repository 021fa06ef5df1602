"""`python -m certify.check FILE...`: one line per certificate."""
import sys

from .checker import main

sys.exit(main())
