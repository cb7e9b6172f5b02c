"""Routes of the webhooks channel (included under /channels/webhooks/)."""

urlpatterns: list = []
