from .scorer import Score, evaluate, score_docs

__all__ = ["Score", "evaluate", "score_docs"]
