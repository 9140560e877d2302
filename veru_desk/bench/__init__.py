"""``veru-desk bench``: proof that the app stays fast and small at the size of a county.

A large unit keeps 100,000 young people, 150,000 referrals and 2,000,000 sessions; a
caseworker on an old office PC feels every pause. The benchmark times the app's own code paths
(the same services and Qt models the windows use, never a copy written for it) on a cached
demo database, and beside each operation a *floor*: the same work done the plainest way (the
same SQL through the bare driver, a bare reportlab document of the same rows, a bare PySide6
window), so a slow result says whether the database or our code is to blame.

Modules, one concern each: ``stats`` (timing and percentiles), ``cache`` (the demo database
and its large case), ``floors`` (the plain ways), ``operations`` (what is timed), ``probe``
(the app process the startup and memory operations launch), ``runner`` (the run and the
table).
"""
