"""One module per exercise notebook, each registering the checkers of its parts."""
