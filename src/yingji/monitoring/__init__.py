"""Monitoring (监测预警): hazard points, patrols, sensors and readings, alarm rules and alarms."""
