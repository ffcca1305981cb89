"""newsevents: expectations room."""
