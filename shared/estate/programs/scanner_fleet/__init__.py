"""scanner-fleet: the scanner functions, their Step Functions fan-out and per-account schedules."""
