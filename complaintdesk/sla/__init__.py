"""Business calendars (working hours, China's holidays and make-up workdays), SLA policies and per-ticket clocks."""
