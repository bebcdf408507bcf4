"""Grading a whole class: find the submissions, grade them in parallel, write the grades.

``submissions`` finds one submission per student (a folder or a .zip) and the exercise files
in it; ``pool`` grades (student, exercise) items in forked grader processes; ``results``
writes grades.csv, grades.json, the feedback files and the cache as results come in;
``gradescope`` writes Gradescope's results.json for one submission.
"""
