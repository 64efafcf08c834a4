"""Run the neurochemistry Gherkin features (so `pytest features/neuro` runs just this domain)."""

from pytest_bdd import scenarios

scenarios("neuro")
