"""Resolution: claims from many documents -> one incident per real event (see link.py, summary.py)."""
from .link import resolve_claims, score_pair
from .model import ClaimRef, Decision, Link, Resolution

__all__ = ["resolve_claims", "score_pair", "ClaimRef", "Decision", "Link", "Resolution"]
