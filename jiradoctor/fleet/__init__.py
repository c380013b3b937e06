"""Fleets: the doctor over an inventory of Jira connections, compared with the previous run.

``inventory`` reads the TOML and resolves secrets from the environment or files; ``sharding``
picks a stable share; ``running`` runs targets concurrently in one event loop and streams each
result to disk; ``compare`` says what changed since the previous run; ``outputs`` writes
fleet.json, junit.xml, metrics.prom and index.html from the streamed rows; ``merge`` joins the
outputs of shards; ``command`` is the click group (mounted lazily by jiradoctor.cli).
"""
