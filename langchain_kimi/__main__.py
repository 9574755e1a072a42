"""``python -m langchain_kimi demo | chat``; see ``langchain_kimi.cli``."""

import sys

from langchain_kimi.cli import main

sys.exit(main())
