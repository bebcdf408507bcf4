"""Run a script as ``__main__`` and record its autograd graphs (``autograd-lab graph SCRIPT``).

The script runs in this process, as ``python SCRIPT ARGS...`` would run it: its own
arguments in ``sys.argv``, its folder first on ``sys.path``. Every backward pass it makes is
recorded (:class:`~autograd_lab.viz.recorder.Recorder`), then the graphs still held by its
global variables. If it fails midway, what was recorded until then is kept and the error,
with the script's own lines of the traceback, goes into ``Capture.error``.

The script runs in a thread of its own with a large C stack (:func:`on_big_stack`), and its
graphs are freed there before it ends. Why: once Python has looked at a backward node (and
recording looks at all of them), torch 2.13 frees a chain of such nodes recursively in C,
one stack level per node; on the main thread's 8 MiB stack a chain of about 50,000 nodes
(a recurrence of ~15,000 steps) crashes the interpreter when it is freed. The big stack holds
chains of millions of nodes. (Consequence: the script is not on the main thread, so it cannot
install signal handlers.)
"""

from __future__ import annotations

import ctypes
import gc
import os
import runpy
import sys
import threading
import traceback
from pathlib import Path

from autograd_lab.errors import ScriptMissing
from autograd_lab.viz.collapse import DEFAULT_MAX_NODES
from autograd_lab.viz.model import Capture
from autograd_lab.viz.recorder import Recorder
from autograd_lab.viz.values import DEFAULT_VALUES

BIG_STACK = 512 * 2**20
"""The script thread's stack: enough to free a chain of about 2 million visited nodes."""


def on_big_stack(function, *args, **kwargs):
    """Call ``function(*args, **kwargs)`` in a thread with a :data:`BIG_STACK` stack; return
    its result or raise its exception. Ctrl-C is passed on to the thread.

    Use it around code that looks at (or captures) very deep graphs *and frees them*, so that
    freeing them cannot overflow the main thread's stack.
    """
    outcome: dict = {}
    done = threading.Event()

    def target():
        try:
            outcome["result"] = function(*args, **kwargs)
        except BaseException as error:  # handed to the caller, raised there
            outcome["error"] = error
        finally:
            done.set()

    previous = threading.stack_size()
    try:
        threading.stack_size(BIG_STACK)
        thread = threading.Thread(target=target, name="autograd-lab script", daemon=True)
        thread.start()
    except (RuntimeError, ValueError):  # no memory for such a stack: run it here
        return function(*args, **kwargs)
    finally:
        threading.stack_size(previous)
    while not done.is_set():  # not Thread.join: interrupted, it may report the thread ended
        try:
            done.wait(0.1)
        except KeyboardInterrupt:
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident),
                                                       ctypes.py_object(KeyboardInterrupt))
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def run_script(path, args=(), *, max_graphs: int = 20, max_nodes: int | None = DEFAULT_MAX_NODES,
               saved: bool = True, values: int = DEFAULT_VALUES) -> Capture:
    """Run ``path`` with ``args`` and return what it recorded (graphs, omitted count, error).

    Args:
        path: the script. Raises :class:`ScriptMissing` when it is not a file.
        args: the script's own arguments (``sys.argv[1:]`` inside it).
        max_graphs: how many distinct graphs to keep.
        max_nodes: larger graphs are collapsed (``None``: never).
        saved: include the tensors functions saved for backward.
        values: tensors of at most this many elements show their values (0: none).
    """
    script = Path(path)
    if not script.is_file():
        raise ScriptMissing(f"No script to run at {str(path)!r}"
                            + (" (it is a folder)" if script.is_dir() else ""))
    filename = str(script.resolve())
    recorder = Recorder(max_graphs=max_graphs, max_nodes=max_nodes, saved=saved,
                        script_file=filename, values=values)
    recorder.capture.script = str(path)
    argv, sys_path = sys.argv[:], sys.path[:]
    sys.argv = [str(path), *map(str, args)]
    sys.path.insert(0, os.path.dirname(filename))
    try:
        return on_big_stack(_run, recorder, filename, path)
    finally:
        sys.argv, sys.path[:] = argv, sys_path


def _run(recorder: Recorder, filename: str, shown) -> Capture:
    """Run the script (in the big-stack thread), record, and free its graphs here."""
    namespace, where = None, "the end"
    with recorder:
        try:
            namespace = runpy.run_path(filename, run_name="__main__")
        except SystemExit as exit_:
            namespace = _script_globals(exit_, filename)
            if exit_.code not in (None, 0):
                recorder.capture.error, where = _describe(exit_, filename, shown), "the error"
        except Exception as error:  # the script's own error: kept, never raised here
            namespace = _script_globals(error, filename)
            recorder.capture.error, where = _describe(error, filename, shown), "the error"
    if namespace is not None:
        recorder.add_namespace(namespace, where)
        namespace.clear()  # the script is over: free its graphs on this thread's stack
    recorder.release()
    del namespace
    gc.collect()
    return recorder.capture


def _script_globals(error: BaseException, filename: str) -> dict | None:
    """The script's globals at the moment it failed, from the traceback's module frame."""
    found = None
    for frame, _ in traceback.walk_tb(error.__traceback__):
        if frame.f_code.co_filename == filename and frame.f_code.co_name == "<module>":
            found = frame.f_globals
    return found


def _describe(error: BaseException, filename: str, shown) -> str:
    """The traceback, reduced to the script's own lines, and the error itself."""
    name = os.path.basename(str(shown))
    lines = ["Traceback (most recent call last):\n"]
    for frame_summary in traceback.extract_tb(error.__traceback__):
        if frame_summary.filename == filename:
            lines.append(f'  File "{name}", line {frame_summary.lineno}, in {frame_summary.name}\n')
            if frame_summary.line:
                lines.append(f"    {frame_summary.line}\n")
    if isinstance(error, SystemExit):
        exception = [f"SystemExit: {error.code}\n"]
    else:
        exception = [line.replace(filename, name)
                     for line in traceback.format_exception_only(type(error), error)]
    if len(lines) == 1:  # no script line (a syntax error): the exception says where
        lines = []
    return "".join(lines + exception).rstrip("\n")
