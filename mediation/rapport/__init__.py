"""The médiateur's annual report to the municipal council (its own Django app, label `rapport`)."""
