"""``python -m autograd_lab``: the same as the ``autograd-lab`` command."""

from autograd_lab.cli import main

if __name__ == "__main__":
    main()
