"""Following RSS/Atom feeds: the registry beside the store, polling, and the CLI commands."""
