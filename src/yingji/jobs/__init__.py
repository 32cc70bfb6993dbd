"""Durable job queue: timers, reminders and deliveries are rows, claimed by workers."""
