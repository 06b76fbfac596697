"""org-iam: the GitHub OIDC provider, CI roles and permission boundary of one account."""
