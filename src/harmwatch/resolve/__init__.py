from .link import link

__all__ = ["link"]
