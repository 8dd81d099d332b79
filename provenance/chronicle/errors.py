"""The one exception of chronicle reading: bad input, told in one line."""

from __future__ import annotations


class ChronicleError(Exception):
    """A document that cannot be read as a chronicle; the message is one line for the user."""
