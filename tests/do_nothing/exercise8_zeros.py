"""exercise8, no work: an Adam that keeps torch's defaults and whose step() and zero_grad()
do nothing."""


class Adam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params = list(params)
        self.lr = lr
        self.betas = betas
        self.eps = eps

    def zero_grad(self):
        pass

    def step(self):
        pass
