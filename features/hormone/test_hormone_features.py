"""Run the hormone-rebalancing Gherkin features (so `pytest features/hormone` runs just this domain)."""

from pytest_bdd import scenarios

scenarios("hormone")
