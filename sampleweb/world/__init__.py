"""The world of the sample web: its data model and its generation from a seed."""
