"""What a question is asked of: a selection of articles, a time window the question names."""
