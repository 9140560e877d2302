"""Plain-Python rules of the unit's work: no Qt, no SQL, nothing of ours imported."""
