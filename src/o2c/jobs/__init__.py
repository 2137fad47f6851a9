"""Background jobs: a queue table shared by every worker, claimed with SKIP LOCKED."""
