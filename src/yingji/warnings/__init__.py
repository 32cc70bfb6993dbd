"""Early warnings (预警): CAP 1.2 as the native model, the Chinese profile, lifecycle, CAP in and out."""
