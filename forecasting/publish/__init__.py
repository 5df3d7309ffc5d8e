"""Publishing: a static site (index, one page per race, checking-our-work) and JSON/CSV feeds."""
from forecasting.publish.site import publish

__all__ = ["publish"]
