"""Event → condition → actions rules, their run log, dry runs, and assignment strategies."""
