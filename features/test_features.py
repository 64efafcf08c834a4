"""Run every Gherkin feature under features/ with the shared steps in conftest.py."""

from pytest_bdd import scenarios

scenarios(".")
