"""newsevents: transforms room."""
