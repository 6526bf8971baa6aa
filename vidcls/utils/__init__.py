"""Small helpers shared by every entry point."""
