"""Routes of the im channel (included under /channels/im/)."""

urlpatterns: list = []
