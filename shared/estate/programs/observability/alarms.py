"""CloudWatch alarms from alarm specs, every one acting on core's alert topic."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from estate.programs.observability.alarm_specs import AlarmSpec


@dataclass(frozen=True)
class AlarmsArgs:
    """The specs, where alarms and recoveries go, and how alarms are named."""

    specs: Sequence[AlarmSpec]
    topic_arn: pulumi.Input[str]
    alarm_name: Callable[[str], str]  # purpose -> physical name (estate.naming)

    def __post_init__(self) -> None:
        purposes = [spec.purpose for spec in self.specs]
        if not purposes:
            raise ValueError("AlarmsArgs.specs is empty: give at least one alarm spec")
        duplicates = sorted({p for p in purposes if purposes.count(p) > 1})
        if duplicates:
            raise ValueError(f"AlarmsArgs.specs: purposes {duplicates} appear twice")


class Alarms(pulumi.ComponentResource):
    """One MetricAlarm per spec; ALARM and OK both notify the topic, so a page also clears."""

    names: pulumi.Output[list[str]]

    def __init__(
        self, name: str, args: AlarmsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("estate:observability:Alarms", name, None, opts)
        alarms = [self._alarm(name, spec, args) for spec in args.specs]
        self.names = pulumi.Output.all(*(alarm.name for alarm in alarms)).apply(list)
        self.register_outputs({"names": self.names})

    def _alarm(self, name: str, spec: AlarmSpec, args: AlarmsArgs) -> aws.cloudwatch.MetricAlarm:
        queries = [
            aws.cloudwatch.MetricAlarmMetricQueryArgs(
                id=metric.id,
                return_data=spec.expression is None,
                metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                    namespace=metric.namespace,
                    metric_name=metric.name,
                    stat=metric.stat,
                    period=metric.period,
                    dimensions=dict(metric.dimensions),
                ),
            )
            for metric in spec.metrics
        ]
        if spec.expression is not None:
            queries.append(
                aws.cloudwatch.MetricAlarmMetricQueryArgs(
                    id="result", expression=spec.expression, label=spec.purpose, return_data=True
                )
            )
        return aws.cloudwatch.MetricAlarm(
            f"{name}-{spec.purpose}",
            name=args.alarm_name(spec.purpose),
            alarm_description=f"{spec.description}. Missing data: {spec.treat_missing_data} "
            f"({spec.missing_data_reason}).",
            comparison_operator=spec.comparison,
            threshold=spec.threshold,
            evaluation_periods=spec.evaluation_periods,
            datapoints_to_alarm=spec.datapoints_to_alarm,
            treat_missing_data=spec.treat_missing_data,
            metric_queries=queries,
            alarm_actions=[args.topic_arn],
            ok_actions=[args.topic_arn],
            opts=pulumi.ResourceOptions(parent=self),
        )
