"""Check-in: the scanner page, door and room check-ins, the audit log, live arrivals."""
