"""The findings as a queryable table: Glue columns from the findings schema, Athena named
queries, and the same queries run locally on DuckDB over report parts (docs/observability.md)."""
