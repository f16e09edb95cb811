"""hotline: the seat client (and, in `server_stub`, the backend) for the Anshan 8890 hotline."""


def __getattr__(name: str) -> str:
    # Read from the installed metadata only when asked (`hotline --version`): importlib.metadata
    # costs the seat's start-up a few milliseconds it does not need.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("hotline-seat")
        except PackageNotFoundError:  # run from a source tree that was never installed
            return "0+unknown"
    raise AttributeError(name)
