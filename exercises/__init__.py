"""The exercise stubs students work in (`autograd-lab init` copies them)."""
