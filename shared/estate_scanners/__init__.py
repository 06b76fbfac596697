"""The scanner fleet's Lambda code: ``s3`` (bucket analyzer) and ``tags`` (EC2 tag checker),
each with a thin handler module; shared runtime pieces live in ``estate_runtime``."""
