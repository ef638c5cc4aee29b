"""Messages to delegates: organisers e-mail a filtered set of an event's registrations."""
