"""Settings for the test suite: the real settings, with a throw-away data directory."""

import os
import tempfile

os.environ.setdefault("ITDESK_TESTING", "1")
os.environ.setdefault("ITDESK_LOGIN_RATE", "10000/min")
os.environ.setdefault("ITDESK_DATA_DIR", tempfile.mkdtemp(prefix="itdesk-test-"))

from itdesk.config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast test logins only

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file (not shared-cache memory) so concurrent tests see real SQLite locking in WAL mode.
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(os.environ["ITDESK_DATA_DIR"], "test.sqlite3")}  # noqa: F405

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - WhiteNoise expects it to exist
