"""kcache's LangGraph graphs: ``agent`` (answers a request) and ``refresh`` (keeps the cache warm)."""
