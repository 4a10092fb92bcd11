"""The tamper-evident audit trail: an append-only, SHA-256 hash-chained log (see chain.py)."""
from .chain import GENESIS, AuditEntry, VerifyResult, append, entries, entry_hash, head, verify

__all__ = ["GENESIS", "AuditEntry", "VerifyResult", "append", "entries", "entry_hash", "head", "verify"]
