"""Simulated lifecycles: each object kind's state machine, driven by the timer heap on the injected clock."""
