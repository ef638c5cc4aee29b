"""One app server process for the sign-in limit tests: tries to sign in, prints the answers.

``python -m tests.auth.sign_in_worker CONFIG_JSON EMAIL PASSWORD...`` builds the app with the
given settings (on a database file it shares with other workers), makes sure the account
EMAIL exists with ``tests.factories.PASSWORD``, posts one sign-in per PASSWORD and prints
the status codes as a JSON list. Each run is a fresh process, as a gunicorn worker is.
"""

import json
import sys

from conference import create_app
from conference.auth.services import create_user, find_user
from conference.extensions import db
from tests.factories import PASSWORD


def main(config: dict, email: str, passwords: list[str]) -> list[int]:
    """Sign in once per password; the status code of each attempt."""
    app = create_app(config)
    with app.app_context():
        db.create_all()
        if find_user(email) is None:
            create_user(email, PASSWORD)
            db.session.commit()
    client = app.test_client()
    return [
        client.post("/login", data={"email": email, "password": password}).status_code
        for password in passwords
    ]


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]), sys.argv[2], sys.argv[3:])))
