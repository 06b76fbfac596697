"""What the GitOps workflows run beyond `estate changed`: the pull-request summary comment,
the drift issues and the smoke scan. Each is a tested module the workflow calls with
values in environment variables, never interpolated into the shell."""
