"""The observability project's building blocks: alarms, dashboards, queryable reports."""
