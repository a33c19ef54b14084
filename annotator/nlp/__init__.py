"""spaCy: tokenization, suggesters, training, evaluation."""
