"""Run the cross-cutting (general) Gherkin features (so `pytest features/general` runs just these)."""

from pytest_bdd import scenarios

scenarios("general")
