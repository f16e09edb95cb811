"""`python -m operator_tui …` is `hotline …` (for a machine where the console script is not on PATH)."""

from .launch import main

main()
