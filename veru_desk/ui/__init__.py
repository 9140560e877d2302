"""Qt widgets. They call services and show what comes back; they never query the database."""
