"""Grading a whole class: find the submissions, grade them in parallel, write the grades.

``submissions`` finds one submission per student (a folder or a .zip) and the exercise files
in it (``shard`` picks a stable part of the class for ``grade --shard K/N``); ``pool`` grades
(student, exercise) items in forked grader processes; ``journal`` appends each result as it
comes; ``results`` writes grades.csv, grades.json, the feedback files and the cache once at the
end (and now and then meanwhile); ``merge`` combines the shards' outputs; ``gradescope`` and
the ``autograder_*`` modules make Gradescope's results.json and autograder zip;
``classroom_workflow`` and ``classroom_report`` GitHub Classroom's workflow and results.
"""
