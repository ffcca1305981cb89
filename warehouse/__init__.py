"""newsevents: warehouse room."""
