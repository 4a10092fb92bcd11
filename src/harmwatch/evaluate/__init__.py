from .gates import CEILINGS, loosened, violations
from .scorer import Score, evaluate, load_split, score_docs

__all__ = ["CEILINGS", "Score", "evaluate", "load_split", "loosened", "score_docs", "violations"]
