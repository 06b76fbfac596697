"""org_iam."""
