"""The one exception type for errors a user can cause and fix.

Entry points catch :class:`VidclsError` and print its message alone (no traceback), so every
message must say what went wrong *and* what to do about it.
"""


class VidclsError(Exception):
    """A user-fixable problem: bad path, corrupt file, mismatched checkpoint, wrong dims..."""
