"""Serving the web workspace (the Vue app built from ``frontend/``) from Django: one origin for UI and API."""
