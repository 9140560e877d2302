"""VERU Desk: case management for a Violence and Exploitation Reduction Unit."""

# The one place the version is written: pyproject.toml reads it from here. A constant, not
# importlib.metadata, which costs a start 20 ms scanning the installed packages.
__version__ = "0.1.0"
