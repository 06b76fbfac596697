"""The findings in Athena: a Glue table over the reports bucket, a workgroup, named queries.

- Glue database and table: columns from the findings schema, partitions projected from the
  report writer's layout (``estate.athena.columns``): no crawler, no partition to add.
- Results bucket of its own: SSE-KMS with core's key, public access blocked, bucket owner
  enforced, TLS only (core's reports-bucket policy), results expire after
  ``RESULTS_EXPIRE_DAYS``. Results are regenerable: neither versioned nor protected (the
  policy pack's reviewed exceptions, tagged on the bucket).
- Workgroup with *enforced* configuration (a client cannot send results elsewhere or turn
  encryption off), its metrics published, and a bytes-scanned cutoff per query.
- The named queries of ``estate.athena.queries`` against this stack's table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

import pulumi
import pulumi_aws as aws
import pulumi_aws_native as aws_native

from estate.athena.columns import (
    INPUT_FORMAT,
    OUTPUT_FORMAT,
    PARTITION_KEYS,
    SERDE,
    glue_columns,
    projection_parameters,
)
from estate.athena.queries import NAMED_QUERIES
from estate.components import block_public_access
from estate.naming import ResourceKind
from estate.programs.core.resource_policies import reports_bucket_policy

BYTES_SCANNED_CUTOFF: Final = 10 * 1024**3  # 10 GiB per query: years of a large estate
RESULTS_EXPIRE_DAYS: Final = 30


@dataclass(frozen=True)
class QueryableReportsArgs:
    """Where the findings are and what names the pieces get."""

    reports_bucket_name: pulumi.Input[str]
    kms_key_arn: pulumi.Input[str]
    account_ids: Sequence[str]  # accounts whose findings land in the bucket
    results_bucket_name: str
    name: Callable[[ResourceKind, str], str]  # (kind, purpose) -> physical name

    def __post_init__(self) -> None:
        if not self.account_ids:
            raise ValueError("QueryableReportsArgs.account_ids is empty: name the scanned accounts")


class QueryableReports(pulumi.ComponentResource):
    """Glue table, Athena workgroup and named queries over one account's reports bucket."""

    database_name: pulumi.Output[str]
    table_name: pulumi.Output[str]
    workgroup_name: pulumi.Output[str]
    results_bucket_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: QueryableReportsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("estate:observability:QueryableReports", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        database = aws.glue.CatalogDatabase(
            f"{name}-database", name=args.name(ResourceKind.GLUE_DATABASE, "findings"), opts=child
        )
        table = self._table(name, args, database, child)
        results = self._results_bucket(name, args, child)
        workgroup = aws.athena.Workgroup(
            f"{name}-workgroup",
            name=args.name(ResourceKind.ATHENA_WORKGROUP, "findings"),
            state="ENABLED",
            force_destroy=False,
            configuration=aws.athena.WorkgroupConfigurationArgs(
                enforce_workgroup_configuration=True,
                publish_cloudwatch_metrics_enabled=True,
                bytes_scanned_cutoff_per_query=BYTES_SCANNED_CUTOFF,
                result_configuration=aws.athena.WorkgroupConfigurationResultConfigurationArgs(
                    output_location=pulumi.Output.concat("s3://", results.bucket, "/"),
                    encryption_configuration=aws.athena.WorkgroupConfigurationResultConfigurationEncryptionConfigurationArgs(
                        encryption_option="SSE_KMS", kms_key_arn=args.kms_key_arn
                    ),
                ),
            ),
            opts=child,
        )
        for query in NAMED_QUERIES:
            aws.athena.NamedQuery(
                f"{name}-{query.name}",
                name=query.name,
                description=query.description,
                database=database.name,
                workgroup=workgroup.name,
                query=table.name.apply(query.for_table),
                opts=child,
            )
        self.database_name = database.name
        self.table_name = table.name
        self.workgroup_name = workgroup.name
        self.results_bucket_name = results.bucket
        self.register_outputs(
            {
                "database_name": self.database_name,
                "table_name": self.table_name,
                "workgroup_name": self.workgroup_name,
                "results_bucket_name": self.results_bucket_name,
            }
        )

    @staticmethod
    def _table(
        name: str,
        args: QueryableReportsArgs,
        database: aws.glue.CatalogDatabase,
        child: pulumi.ResourceOptions,
    ) -> aws.glue.CatalogTable:
        bucket_url = pulumi.Output.concat("s3://", args.reports_bucket_name)
        return aws.glue.CatalogTable(
            f"{name}-table",
            name=args.name(ResourceKind.GLUE_TABLE, "findings"),
            database_name=database.name,
            table_type="EXTERNAL_TABLE",
            parameters=bucket_url.apply(lambda url: projection_parameters(args.account_ids, url)),
            partition_keys=[
                aws.glue.CatalogTablePartitionKeyArgs(name=key, type="string")
                for key in PARTITION_KEYS
            ],
            storage_descriptor=aws.glue.CatalogTableStorageDescriptorArgs(
                location=pulumi.Output.concat(bucket_url, "/findings/"),
                input_format=INPUT_FORMAT,
                output_format=OUTPUT_FORMAT,
                ser_de_info=aws.glue.CatalogTableStorageDescriptorSerDeInfoArgs(
                    serialization_library=SERDE, parameters={"ignore.malformed.json": "FALSE"}
                ),
                columns=[
                    aws.glue.CatalogTableStorageDescriptorColumnArgs(name=c.name, type=c.type)
                    for c in glue_columns()
                ],
            ),
            opts=child,
        )

    @staticmethod
    def _results_bucket(
        name: str, args: QueryableReportsArgs, child: pulumi.ResourceOptions
    ) -> aws.s3.Bucket:
        bucket = aws.s3.Bucket(
            f"{name}-results",
            bucket=args.results_bucket_name,
            # A query's result is rerun, not restored; tag values allow no commas.
            tags={
                "estate:policy-exempt:bucket-versioned": "query results expire by lifecycle",
                "estate:policy-exempt:stateful-protected": "query results are regenerable",
            },
            opts=child,
        )
        on_bucket = pulumi.ResourceOptions(parent=bucket)
        # The same TLS-only document as core's reports bucket (Security Hub S3.5).
        aws_native.s3.BucketPolicy(
            f"{name}-results-policy",
            bucket=bucket.id,
            policy_document=reports_bucket_policy(bucket.arn),
            opts=on_bucket,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-results-encryption",
            bucket=bucket.id,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm="aws:kms", kms_master_key_id=args.kms_key_arn
                    ),
                    bucket_key_enabled=True,
                )
            ],
            opts=on_bucket,
        )
        block_public_access(
            bucket,
            block_name=f"{name}-results-public-access",
            ownership_name=f"{name}-results-ownership",
            opts=on_bucket,
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-results-expiry",
            bucket=bucket.id,
            rules=[
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="expire-results",
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                    expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(
                        days=RESULTS_EXPIRE_DAYS
                    ),
                )
            ],
            opts=on_bucket,
        )
        return bucket
