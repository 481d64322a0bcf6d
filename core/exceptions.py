class ApplicationError(Exception):
    """A business rule refused an action. The message is for the user, already translated."""

    def __init__(self, message: str, *, extra: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}
