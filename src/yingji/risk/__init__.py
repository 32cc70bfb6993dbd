"""Dual prevention (双重预防): enterprises, risk assessment and the risk map, hidden dangers as a loop."""
