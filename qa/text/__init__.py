"""Text facts every layer shares: tokens and stems, the stop-word lists, language, fixed phrases."""
