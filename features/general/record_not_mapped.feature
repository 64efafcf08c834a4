Feature: GN-DQ-010 Patient data that could not be read or was not provided

  EHR data arrives as FHIR Bundles; an entry the engine uses but cannot read is kept as an
  import problem, so it is reported rather than read as absent.

  Background:
    Given the evaluation date is 2026-11-21

  Scenario: A FHIR result that arrived without a value fires the data-quality finding
    Given the snapshot file "features/general/fhir/tsh-without-value.json"
    When the engine evaluates the patient
    Then rule GN-DQ-010 fires with severity moderate

  Scenario: A FHIR record whose used entries all read stays silent (claims and encounters are skipped)
    Given the snapshot file "features/general/fhir/all-readable.json"
    When the engine evaluates the patient
    Then rule GN-DQ-010 does not fire

  Scenario: An unreadable result exactly 365 days old is still reported (boundary)
    Given the snapshot file "features/general/fhir/unreadable-365-days-ago.json"
    When the engine evaluates the patient
    Then rule GN-DQ-010 fires with severity moderate

  Scenario: An unreadable result 366 days old is outside the window (boundary)
    Given the snapshot file "features/general/fhir/unreadable-366-days-ago.json"
    When the engine evaluates the patient
    Then rule GN-DQ-010 does not fire

  Scenario: An import problem without a date is always reported
    Given the snapshot file "features/general/fhir/undated-problem.yaml"
    When the engine evaluates the patient
    Then rule GN-DQ-010 fires with severity moderate
