"""The ticket REST API (/api/v1/)."""
