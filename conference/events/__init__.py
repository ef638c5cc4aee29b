"""Events: list, public page, creation and editing, the event team."""
