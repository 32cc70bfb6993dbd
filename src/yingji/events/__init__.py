"""Events pushed to browsers (Server-Sent Events): ``publish(session, kind, jurisdiction_code, payload)``
inside a writing transaction; delivered after commit to every subscriber whose scope covers the place."""

from yingji.events.publish import KINDS, publish

__all__ = ["KINDS", "publish"]
