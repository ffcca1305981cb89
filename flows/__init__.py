"""newsevents: flows room."""
