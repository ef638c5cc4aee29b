"""Parallel-session scheduling: format-1 instances in, format-1 solutions out.

No Flask and no database: the app (a background job, the `agenda solve` command) hands
a document in and gets a `Result` back. The format is ../shared/standards/schedule/FORMAT.md.
"""
