"""In progress: the handler lands in the next commit on this branch."""
