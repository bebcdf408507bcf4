"""The worker process in which student code runs, and the protocol to it.

Nothing here knows about exercises: the grading process asks a worker to import a file
and to call named probe functions on it; the worker answers with plain data.
"""
