"""Threshold alerts (red/yellow/blue) over complaint volumes; later hotspots, classification and forecasts."""
