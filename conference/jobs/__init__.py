"""Background jobs and the pages that follow their progress."""
