"""The eval harness: datasets, clusters, the scorer of turn records and the report it builds."""
