"""Runs of sourcekeep: the command line, the nightly service, recheck policy and locks."""
