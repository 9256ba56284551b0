"""The control API (`/_mock`): what tests and CI use to drive the mock; never part of the OpenAI surface."""
