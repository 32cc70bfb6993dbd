"""Yingji (应急): an integrated emergency-management platform, city down to village group."""

__version__ = "0.1.0"
