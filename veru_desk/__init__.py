"""VERU Desk: case management for a Violence and Exploitation Reduction Unit."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("veru-desk")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
