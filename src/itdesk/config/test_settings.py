"""Settings for the test suite: the real settings, with a throw-away data directory."""

import os
import tempfile

os.environ.setdefault("ITDESK_TESTING", "1")
os.environ.setdefault("ITDESK_DATA_DIR", tempfile.mkdtemp(prefix="itdesk-test-"))

from itdesk.config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast test logins only
