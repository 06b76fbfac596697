"""Evidence shared by the two default-encryption checks."""

from __future__ import annotations

from typing import Any

from estate_scanners.s3.check_model import not_configured_code
from estate_scanners.s3.facts import DefaultEncryption, Fetched

KMS_ALGORITHMS = frozenset({"aws:kms", "aws:kms:dsse"})


def encryption_evidence(fetched: Fetched[DefaultEncryption]) -> dict[str, Any]:
    """The default-encryption rules (algorithm, key, bucket key) and their algorithms."""
    rules = fetched.rules if isinstance(fetched, DefaultEncryption) else ()
    return {
        "algorithms": sorted({rule.algorithm for rule in rules}),
        "rules": [
            {
                "algorithm": rule.algorithm,
                "kms_key_id": rule.kms_key_id,
                "bucket_key_enabled": rule.bucket_key_enabled,
            }
            for rule in rules
        ],
        "not_configured_code": not_configured_code(fetched),
    }
