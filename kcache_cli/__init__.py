"""The ``kcache`` command line: the face of kcache, above the graphs and the eval harness."""
