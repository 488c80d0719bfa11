"""The traffic simulator: one traffic model, a pure headless core for runs and tests, and the in-app simulator
whose simulated customers and agents call the same services a person's clicks call."""
