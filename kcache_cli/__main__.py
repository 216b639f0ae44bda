"""``python -m kcache_cli``: the same as the ``kcache`` command."""

from kcache_cli.main import main

raise SystemExit(main())
