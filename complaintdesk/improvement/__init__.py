"""Improvement actions (CAPA / 8D) opened from alerts and complaints."""
