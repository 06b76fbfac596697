"""The findings table: one item per (account, resource, check), streamed, encrypted, recoverable."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from estate_core import layout


@dataclass(frozen=True, kw_only=True)
class FindingsTableArgs:
    """The table's name and the key that encrypts it."""

    table_name: str
    kms_key_arn: pulumi.Input[str]


class FindingsTable(pulumi.ComponentResource):
    """On-demand, point-in-time recovery, NEW_AND_OLD_IMAGES stream, the API's indexes."""

    name: pulumi.Output[str]
    arn: pulumi.Output[str]
    stream_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: FindingsTableArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("estate:core:FindingsTable", name, None, opts)
        key_attributes = sorted(
            {layout.KEY} | {attr for _, pk, sk in layout.INDEXES for attr in (pk, sk)}
        )
        table = aws.dynamodb.Table(
            f"{name}-table",
            name=args.table_name,
            billing_mode="PAY_PER_REQUEST",
            hash_key=layout.KEY,
            attributes=[{"name": attribute, "type": "S"} for attribute in key_attributes],
            global_secondary_indexes=[
                {
                    "name": index,
                    "hash_key": partition,
                    "range_key": sort,
                    "projection_type": "ALL",
                }
                for index, partition, sort in layout.INDEXES
            ],
            # The alerts and Security Hub export read transitions: old and new images.
            stream_enabled=True,
            stream_view_type="NEW_AND_OLD_IMAGES",
            point_in_time_recovery={"enabled": True},
            server_side_encryption={"enabled": True, "kms_key_arn": args.kms_key_arn},
            deletion_protection_enabled=True,
            opts=pulumi.ResourceOptions(parent=self, protect=True),
        )
        self.name = table.name
        self.arn = table.arn
        self.stream_arn = table.stream_arn
        self.register_outputs({"name": self.name, "arn": self.arn, "stream_arn": self.stream_arn})
