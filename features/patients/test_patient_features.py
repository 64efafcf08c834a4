"""Run the whole-patient Gherkin scenarios (so `pytest features/patients` runs just these).

Each scenario loads a fictional snapshot from examples/patients/ and states every finding it must
produce (grouped and cannot-assess ones included) and the false alarms it must not.
"""

from pytest_bdd import scenarios

scenarios("patients")
