"""``python -m langchain_kimi demo | chat``; see ``langchain_kimi.cli.main``."""

import sys

from langchain_kimi.cli.main import main

sys.exit(main())
