"""The case workspace and its tabs: one young person's case, opened from any page."""
