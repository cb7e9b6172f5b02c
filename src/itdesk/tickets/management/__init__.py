"""Management commands of the tickets app."""
