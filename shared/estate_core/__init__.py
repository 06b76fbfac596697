"""The findings service's Lambda code: ingest, alerts, the query API, the Security Hub export.

Like estate_runtime it imports only the standard library, boto3/botocore, Powertools and
estate_runtime, so its zip runs on Lambda's Python runtime as it is.
"""
