"""Two-way texting: inbound texts answered by the dialogue policy, opt-out keywords."""
