"""Notifications: one channel interface (``send(batch) -> receipts``) and its adapters."""
