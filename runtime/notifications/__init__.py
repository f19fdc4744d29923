"""Staff notifications: planned from a company's settings, stored in a durable outbox,
sent by a drain loop through the SMS and email providers."""
