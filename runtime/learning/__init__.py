"""The learning loop: unanswered questions → reviewable suggestions → knowledge entries."""
