"""Hostile: exits with status 0 as soon as it is imported (hoping to look like a success)."""

import sys

print("score: 10/10")
sys.exit(0)
