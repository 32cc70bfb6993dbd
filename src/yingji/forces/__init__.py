"""Rescue forces (救援力量): teams, members, equipment, readiness; nearest capable teams."""
