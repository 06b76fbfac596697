"""estate_runtime: what every scanner Lambda shares (standard library, boto3, Powertools only).

- ``findings``: the finding vocabularies, builder and schema-driven validator.
- ``report_writer``: findings as deterministic gzip JSON Lines parts to S3, a folder or memory.
- ``aws``: target-account sessions, cached clients, adaptive retries, custom endpoints.
- ``deadline``: when to stop taking new work before the Lambda deadline.
- ``metrics``: a scan's counters as CloudWatch embedded metric format.
- ``events``: typed reading of handler events, one-line errors.
- ``settings``: the functions' environment settings, read with one-line errors.
- ``invocation``: what both handlers do around a scan: target session, deadline, metrics.
- ``closing``: a base for objects closed when a ``with`` block ends.
"""
