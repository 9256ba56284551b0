"""Webhooks as OpenAI sends them: events from lifecycle transitions, endpoints, Standard Webhooks signing, delivery."""
