"""Sentence embeddings turned into the similarity scores the dialogue policy decides on."""
