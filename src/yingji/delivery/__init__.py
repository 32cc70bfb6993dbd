"""Warning delivery to the last household: targeting, channel fan-out, acknowledgement, escalation."""
