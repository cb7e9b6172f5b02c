"""Routes of the mail channel (included under /channels/mail/)."""

urlpatterns: list = []
