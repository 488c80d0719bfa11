"""The traffic simulator: simulated customers and agents that call the same services a person's clicks call."""
