"""The frame around the work: the main window, signing in, the lock screen, background tasks
and the signal that tells screens what changed."""
