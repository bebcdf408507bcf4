"""The grading engine and the toolkit that catalog checks are written with.

``engine.grade`` runs one catalog exercise against one student file and returns a
:class:`report.Report`. The toolkit (``failure``, ``compare``, ``diagnose``, ``search``,
``cases``) is what a check uses to draw inputs, compare with torch and explain a
difference. ``replay`` and ``remember`` spare a process that grades many files drawing the
same inputs and computing the same expected answers again. Nothing in this package imports
the catalog: exercises are passed in.
"""
