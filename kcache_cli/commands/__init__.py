"""The ``kcache`` sub-commands, one module per command group (the parser lives in kcache_cli.main)."""
