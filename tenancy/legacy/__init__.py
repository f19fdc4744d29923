"""The original platform's documents (the product brief's data model), read into ours."""
