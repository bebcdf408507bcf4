"""Hostile: sends the grader a well-framed message whose array header has a list as its dtype."""

import json
import os
import struct

header = {"body": {"$dict": {"ok": {"$array": {"dtype": [], "shape": [], "blob": 0}}}},
          "blobs": [8]}
head = json.dumps(header).encode()
message = struct.pack(">Q", len(head)) + head + bytes(8)
for fd in range(3, 64):
    try:
        os.write(fd, message)
    except OSError:
        pass
