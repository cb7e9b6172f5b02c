"""ITDesk management commands: demo."""
