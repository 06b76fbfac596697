"""The EC2 tag compliance checker: rules, their pure judgement, the collector, the scan."""
