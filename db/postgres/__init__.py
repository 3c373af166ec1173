"""PostgreSQL, for a bot that outgrows one machine: its connection, migrations and stores."""
