"""The application layer: the one service the command line, the app and the bench call."""
