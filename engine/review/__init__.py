"""The safety reviewer's toolkit: lint, scenario coverage, plain-language audit report, diff.

Modules: `lint` (every problem of a rule base, without raising), `logic` (contradictions and
shadowing over the conditions' disjunctive normal form), `coverage` (Gherkin scenarios and
per-rule coverage), `plain` (conditions in plain language), `audit` (the reviewer's report)
and `diff` (two rule bases compared, field by field and by behaviour).
"""
