"""Duty (值班值守): rosters, shifts, handover, leader leave, daily and zero reports."""
