"""One module per graph node, named as the node."""
