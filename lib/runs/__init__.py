"""Runs on disk and training them: the run store, background jobs, the shared training queue and provenance."""
