"""Hostile: writes junk to every file descriptor it inherited, the channel to the grader included."""

import os

for fd in range(3, 64):
    try:
        os.write(fd, b"\xff" * 64)
    except OSError:
        pass
