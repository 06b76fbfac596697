"""Whether a trail records S3 object-level (data) events for every bucket: shared by S3.22 and S3.23.

What counts, from the CloudTrail API Reference and Security Hub's S3.22/S3.23 ("at least
one multi-Region trail that logs all write / read data events for S3 buckets"):

- **Multi-Region trails only.** A single-Region trail logs its own Region's buckets.
- **Basic event selectors** (`EventSelector`): a `DataResource` of type `AWS::S3::Object`
  whose values include the all-buckets prefix — "To log data events for all objects in
  all S3 buckets in your AWS account, specify the prefix as arn:aws:s3" (DataResource,
  `Values`); `arn:aws:s3:::` is accepted as the same prefix — with `ReadWriteType`
  `All`, or `WriteOnly` for writes, `ReadOnly` for reads.
- **Advanced event selectors**: one selector whose field selectors are exactly
  `eventCategory` Equals `Data`, `resources.type` Equals `AWS::S3::Object`, and
  optionally `readOnly` (Equals `false` or NotEquals `true` means writes; Equals `true`
  or NotEquals `false` means reads; absent means both). Any other field (a
  `resources.ARN` prefix, an `eventName`, a `userIdentity`) narrows what is logged, so
  the selector is not credited, and the evidence names the field.
- Whether the trail is logging right now (GetTrailStatus) is not read: the controls ask
  about the configuration.
"""

from __future__ import annotations

from typing import Any, Literal

from estate_runtime.findings import partition_for_region
from estate_scanners.s3.check_model import Verdict, errored, failed, passed, present
from estate_scanners.s3.facts import AccountFacts, BasicSelector, FieldSelector, Trail, Trails

Access = Literal["write", "read"]
S3_OBJECT = "AWS::S3::Object"
_READ_WRITE_TYPES = {"write": {"All", "WriteOnly"}, "read": {"All", "ReadOnly"}}
_READ_ONLY_MEANS = {  # (operator, value) of a readOnly field selector -> what is logged
    ("Equals", "false"): "write",
    ("NotEquals", "true"): "write",
    ("Equals", "true"): "read",
    ("NotEquals", "false"): "read",
}


def judge_data_events(account: AccountFacts, access: Access) -> Verdict:
    """PASS when a readable multi-Region trail logs every bucket's `access` data events.

    A trail whose selectors could not be read cannot prove the account compliant, but
    cannot prove it not either: with no trail crediting, that is an ERROR naming it.
    """
    trails = present(account.trails) or Trails()
    partition = partition_for_region(account.region)
    judged = [(trail, _coverage(trail, access, partition)) for trail in trails.trails]
    evidence: dict[str, Any] = {
        "trails": [{"arn": trail.arn, "logs_all": reason is None, "why_not": reason}
                   for trail, reason in judged],
    }  # fmt: skip
    covering = [trail.arn for trail, reason in judged if reason is None]
    if covering:
        return passed(
            f"Account {account.account_id}'s trail(s) {', '.join(covering)} record {access} "
            "data events for every S3 bucket.",
            **evidence,
        )
    unreadable = [trail for trail in trails.trails if trail.selectors_error is not None]
    if unreadable:
        return errored(
            f"Could not evaluate: GetEventSelectors failed for "
            f"{', '.join(f'{t.arn} ({t.selectors_error})' for t in unreadable)}, and no "
            "readable trail records every bucket's data events.",
            errors={
                t.arn: {"code": t.selectors_error, "operation": "GetEventSelectors"}
                for t in unreadable
            },
            **evidence,
        )
    described = "has no CloudTrail trail" if not trails.trails else "has no multi-Region trail"
    return failed(
        f"Account {account.account_id} {described} recording {access} data events for every "
        "S3 bucket.",
        **evidence,
    )


def _coverage(trail: Trail, access: Access, partition: str) -> str | None:
    """None when the trail logs every bucket's `access` data events, else why it does not."""
    if trail.selectors_error is not None:
        return f"GetEventSelectors failed with {trail.selectors_error}"
    if not trail.multi_region:
        return "single-Region trail"
    reasons = [_basic(selector, access, partition) for selector in trail.basic]
    reasons += [_advanced(selector, access) for selector in trail.advanced]
    if any(reason is None for reason in reasons):
        return None
    return "; ".join(r for r in reasons if r) or "no data event selector"


def _basic(selector: BasicSelector, access: Access, partition: str) -> str | None:
    all_buckets = {f"arn:{partition}:s3", f"arn:{partition}:s3:::"}
    for kind, values in selector.data_resources:
        if kind == S3_OBJECT and all_buckets & set(values):
            if selector.read_write_type in _READ_WRITE_TYPES[access]:
                return None
            return f"basic selector logs {selector.read_write_type} only"
    return "basic selector names no all-buckets S3 data resource"


def _advanced(selector: tuple[FieldSelector, ...], access: Access) -> str | None:
    fields = {field.field: field.operators for field in selector}
    if fields.get("eventCategory") != (("Equals", ("Data",)),):
        return "advanced selector is not eventCategory = Data"
    if fields.get("resources.type") != (("Equals", (S3_OBJECT,)),):
        return "advanced selector is not resources.type = AWS::S3::Object"
    narrowing = sorted(set(fields) - {"eventCategory", "resources.type", "readOnly"})
    if narrowing:
        return f"advanced selector narrowed by {', '.join(narrowing)}"
    read_only = fields.get("readOnly")
    if read_only is None:
        return None
    meanings = {_READ_ONLY_MEANS.get((op, v)) for op, values in read_only for v in values}
    if meanings == {access}:
        return None
    return "advanced selector's readOnly test logs the other kind"
