"""Tests of the plain-Python domain rules (a package so module names cannot clash)."""
