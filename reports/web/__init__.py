"""The newsroom web app (#20): search, triage and follow coverage in a browser."""
