"""Improvement actions (CAPA / 8D) opened from alerts and complaints."""

from __future__ import annotations
