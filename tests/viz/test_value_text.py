"""Numbers for reading (``viz.value_text``): each expected string is stated with its reason."""

from __future__ import annotations

import pytest

from autograd_lab.viz.model import Grad
from autograd_lab.viz.value_text import (
    format_grad, format_number, format_shape, format_values, grad_lines, value_lines,
)


@pytest.mark.parametrize("value, text, reason", [
    (3, "3", "an int is exact"),
    (-12345678, "-12345678", "an int is exact however long"),
    (2.0, "2", "a whole float reads as the whole number it is"),
    (-0.0, "0", "the sign of a zero is noise"),
    (0.0, "0", "zero"),
    (1 / 3, "0.3333", "4 significant digits"),
    (2 / 3, "0.6667", "4 significant digits, rounded, not cut"),
    (0.10000000149011612, "0.1", "float32 0.1 read exactly is still 0.1 to 4 digits"),
    (123.456, "123.5", "4 significant digits before and after the point"),
    (1.5e-5, "1.5e-5", "small: exponent, without the zero padding of 1.5e-05"),
    (12345678.9, "1.235e7", "large: exponent without '+' and padding"),
    (12345.0, "12345", "a whole float below WHOLE_UP_TO is exact, even past 4 digits"),
    (12345.5, "1.235e4", "not whole: 4 significant digits"),
    (1e7, "1e7", "a whole float past WHOLE_UP_TO is rounded like any other"),
    (float("nan"), "nan", "by name"),
    (float("inf"), "inf", "by name"),
    (float("-inf"), "-inf", "by name"),
    (True, "True", "a bool tensor's element, not 1"),
    ("1+2j", "1+2j", "complex elements come as strings and stay as they are"),
])
def test_format_number(value, text, reason):
    assert format_number(value) == text, reason


def test_digits_is_significant_digits():
    assert format_number(1 / 3, digits=2) == "0.33"
    assert format_values((1 / 3, 2 / 3), digits=6) == "[0.333333, 0.666667]"


@pytest.mark.parametrize("values, text", [
    (3, "3"),                                    # a 0-d tensor: a plain number
    (2.5, "2.5"),
    ((1.0, 2.0, 3.0), "[1, 2, 3]"),              # a vector: one list
    (((1, 2), (3, 4)), "[[1, 2], [3, 4]]"),      # a matrix: rows
    ([[1, 2], [3, 4]], "[[1, 2], [3, 4]]"),      # lists, as JSON reads them back, too
    ((), "[]"),                                  # an empty tensor
    ((((1,),),), "[[[1]]]"),                     # nesting kept whatever its depth
    ((float("nan"), -0.0, float("inf")), "[nan, 0, inf]"),
    (None, ""),                                  # nothing known: nothing to say
])
def test_format_values(values, text):
    assert format_values(values) == text


def test_value_lines_short_is_one_line():
    assert value_lines(((1, 2), (3, 4))) == ["[[1, 2], [3, 4]]"]
    assert value_lines(None) == []
    assert value_lines(7) == ["7"]


def test_value_lines_matrix_gives_a_row_per_line():
    rows = tuple(tuple(float(4 * r + c) + 0.5 for c in range(4)) for r in range(4))
    lines = value_lines(rows, width=30)
    # each row "[0.5, 1.5, 2.5, 3.5]" is 20 characters: with its bracket and comma it fits
    assert lines == ["[[0.5, 1.5, 2.5, 3.5],", " [4.5, 5.5, 6.5, 7.5],", " [8.5, 9.5, 10.5, 11.5],",
                     " [12.5, 13.5, 14.5, 15.5]]"]
    # joined back, the lines are the one-line text (nothing lost, nothing added)
    assert "".join(lines) == format_values(rows)


def test_value_lines_long_vector_breaks_after_a_comma():
    values = tuple(i + 0.25 for i in range(16))
    lines = value_lines(values, width=30)
    assert len(lines) > 1 and all(len(line) <= 30 for line in lines)
    assert all(line.endswith(",") for line in lines[:-1])
    assert "".join(lines) == format_values(values)


def test_value_lines_column_packs_rows():
    """A (4, 1) column is not four lines of one number: as many rows a line as fit."""
    column = ((0.0,), (1.469,), (0.4844,), (2.773,))
    lines = value_lines(column, width=32)  # the one-line text is 33 characters
    assert lines == ["[[0], [1.469], [0.4844],", " [2.773]]"]
    assert "".join(lines) == format_values(column)


def test_format_shape():
    assert format_shape((3, 4)) == "(3, 4)"
    assert format_shape((5,)) == "(5,)"
    assert format_shape(()) == "scalar"
    assert format_shape(None) == ""


def test_format_grad_values_when_present_else_shape_and_norm():
    # the gradient of (w ** 2).sum() at w = [1, 2]: 2 * w
    assert format_grad(Grad((2,), 4.47213595499958, (2.0, 4.0))) == "[2, 4]"
    # too large to keep values: shape and norm (||ones(3, 4)|| = sqrt(12) = 3.464)
    assert format_grad(Grad((3, 4), 12 ** 0.5)) == "(3, 4) · ‖g‖ = 3.464"
    assert format_grad(Grad((), 1.0, 1.0)) == "1"                 # the initial gradient, ones
    assert format_grad(Grad((), 2.5)) == "scalar · ‖g‖ = 2.5"
    assert format_grad(Grad([3, 4], float("nan"))) == "(3, 4) · ‖g‖ = nan"  # a list shape (JSON)


def test_grad_lines():
    assert grad_lines(Grad((3, 4), 3.2)) == ["(3, 4) · ‖g‖ = 3.2"]
    values = tuple((1.0, 2.0, 3.0, 4.0) for _ in range(4))
    assert len(grad_lines(Grad((4, 4), 10.95, values), width=20)) == 4
