"""The fuzz test: mutated copies of every fixture, example and corpus file must never crash policylint.

`pytest tests/fuzz` runs 300 cases (seed 0, or POLICYLINT_FUZZ_SEED); from the repository root,
`python -m tests.fuzz --cases 5000 [--seed N] [--only TEXT]` runs thousands and prints each distinct crash, and
`python -m tests.fuzz --seed N --case I [--keep DIR]` replays one case. `mutate` makes the inputs, `cases` runs them.
"""
