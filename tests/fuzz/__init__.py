"""The fuzz test: mutated copies of every fixture, example and corpus file must never crash policylint."""
