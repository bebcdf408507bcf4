"""The errors autograd-lab raises about a user's input, all from one base class."""


class AutogradLabError(Exception):
    """Base class: something the user asked for cannot be done; the message says why."""


class UnknownExercise(AutogradLabError):
    """An exercise name that is not an id, number or slug in the catalog."""

    def __init__(self, name: str, close_matches: list[str]):
        self.name = name
        self.close_matches = close_matches
        hint = f" Closest matches: {', '.join(close_matches)}." if close_matches else ""
        super().__init__(
            f"Unknown exercise {name!r}.{hint} Run `autograd-lab list` to see all exercises."
        )


class StudentFileMissing(AutogradLabError):
    """The file to check does not exist."""


class DeviceUnavailable(AutogradLabError):
    """A device was asked for (``--device cuda``) that this machine does not have."""


class GraphvizMissing(AutogradLabError):
    """Graphviz's ``dot`` program is needed for SVG/PNG/PDF and is not installed."""


class ScriptMissing(AutogradLabError):
    """The script to run (``autograd-lab graph SCRIPT``) does not exist."""


class UnknownGraphFormat(AutogradLabError):
    """A graph format (``--format``, or an output file's suffix) that is not one of svg, png,
    pdf, html, dot, json."""
