"""SQLite, the embedded default: its migrations live in `migrations/` here."""
