"""Incidents (突发事件): intake, the report chain, grading and reporting deadlines, timeline."""
