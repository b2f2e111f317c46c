"""ComplaintDesk: self-hosted closed-loop customer complaint management."""

__version__ = "0.1.0"
