"""Page views: thin layers that parse a form, call a service and render or redirect."""
