"""One app server process for the sign-in limit tests: tries to sign in, prints the answers.

``python -m tests.auth.sign_in_worker CONFIG_JSON EMAIL PASSWORD...`` builds the app with the
given settings, posts one sign-in for EMAIL per PASSWORD and prints the status codes as a
JSON list. Each run is a fresh process, as a gunicorn worker is.
"""

import json
import sys

from conference import create_app


def main(config: dict, email: str, passwords: list[str]) -> list[int]:
    """Sign in once per password; the status code of each attempt."""
    client = create_app(config).test_client()
    return [
        client.post("/login", data={"email": email, "password": password}).status_code
        for password in passwords
    ]


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]), sys.argv[2], sys.argv[3:])))
