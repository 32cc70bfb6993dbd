"""The resident registry: households, vulnerable people, subscriptions."""
