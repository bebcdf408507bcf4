"""Planted wrong submissions for exercise3: edits of solutions/exercise3_my_relu.py.

See tests/mutants/__init__.py. tests/test_planted.py grades each one.
"""

from . import Mutant

MUTANTS = [
    Mutant(
        name="backward_unmasked",
        mistake="MyReLU.backward returns grad_output as it is, without the ReLU's mask.",
        fail=["backward"],
        diagnosis="ReLU mask missing",
        message=["grad_output * (input > 0)"],
        replace=[("return grad_output * (input > 0)", "return grad_output")],
    ),
    Mutant(
        name="forward_clamps_input_in_place",
        mistake="forward computes input.clamp_(min=0), which overwrites the input it saved.",
        fail=["save_for_backward"],
        diagnosis="input modified in place",
        message=["modified its input in place", "input.clamp(min=0)"],
        replace=[("return input.clamp(min=0)", "return input.clamp_(min=0)")],
    ),
    Mutant(
        name="backward_half_at_kink",
        mistake="at input == 0 backward returns half of grad_output (neither subgradient).",
        fail=["backward"],
        diagnosis="wrong only at the ReLU kink",
        message=["values differ beyond the tolerance, at the kink either subgradient accepted"],
        replace=[
            (
                "return grad_output * (input > 0)",
                (
                    "# planted: 0.5 * grad_output at the kink, which is neither 0 nor grad_output\n"
                    "        return torch.where(input == 0, 0.5 * grad_output, grad_output * (input > 0))"
                ),
            ),
        ],
    ),
    Mutant(
        name="backward_modifies_grad_output",
        mistake="backward masks grad_output itself instead of a copy.",
        fail=["grad_output_untouched"],
        diagnosis="grad_output modified in place",
        message=["grad_output in place"],
        replace=[
            (
                "return grad_output * (input > 0)",
                (
                    "grad_output[input < 0] = 0  # planted: modifies grad_output in place\n"
                    "        return grad_output"
                ),
            ),
        ],
    ),
    Mutant(
        name="backward_sign_flipped",
        mistake="backward returns the negative of the gradient.",
        fail=["backward"],
        diagnosis="sign flipped",
        replace=[
            (
                "return grad_output * (input > 0)",
                "return -(grad_output * (input > 0))  # planted: sign flipped",
            ),
        ],
    ),
    Mutant(
        name="forward_abs",
        mistake="forward computes |input| instead of max(input, 0).",
        fail=["forward"],
        message=["wrong values"],
        replace=[("return input.clamp(min=0)", "return input.abs()  # planted: abs, not ReLU")],
    ),
    Mutant(
        name="forward_clamp_max",
        mistake="forward keeps the negative part (clamp(max=0)) instead of the positive one.",
        fail=["forward"],
        message=["wrong values"],
        replace=[
            (
                "return input.clamp(min=0)",
                "return input.clamp(max=0)  # planted: wrong side of the clamp",
            ),
        ],
    ),
    # (In backward this mistake would be invisible: autograd casts a gradient of the wrong
    # dtype back to the input's dtype, so the grader cannot see it there.)
    Mutant(
        name="forward_wrong_dtype",
        mistake="forward converts its result to float32 whatever the input's dtype.",
        fail=["forward"],
        diagnosis="wrong dtype",
        message=["expected dtype float64, got float32"],
        replace=[
            (
                "return input.clamp(min=0)",
                "return input.clamp(min=0).float()  # planted: always float32",
            ),
        ],
    ),
    Mutant(
        name="network_forgets_w2",
        mistake="two_layer_forward stops after the ReLU and never multiplies by w2.",
        fail=["two_layer_forward"],
        message=["w2.grad is None"],
        replace=[
            (
                "return MyReLU.apply(x @ w1) @ w2",
                "return MyReLU.apply(x @ w1)  # planted: forgets w2",
            ),
        ],
    ),
    Mutant(
        name="network_transposed",
        mistake="two_layer_forward returns y_pred transposed, shape (D_out, N).",
        fail=["two_layer_forward"],
        diagnosis="transposed",
        replace=[
            (
                "return MyReLU.apply(x @ w1) @ w2",
                "return (MyReLU.apply(x @ w1) @ w2).T  # planted: transposed",
            ),
        ],
    ),
    Mutant(
        name="network_uses_torch_relu",
        mistake="two_layer_forward uses torch.relu, so MyReLU.backward never runs.",
        fail=["two_layer_uses_myrelu"],
        message=["ReluBackward0"],
        replace=[
            (
                "return MyReLU.apply(x @ w1) @ w2",
                "return torch.relu(x @ w1) @ w2  # planted: bypasses MyReLU",
            ),
        ],
    ),
    Mutant(
        name="saved_as_attribute",
        mistake="the input is stored as an attribute of ctx, not with save_for_backward.",
        fail=["save_for_backward"],
        message=["ctx.input"],
        replace=[
            (
                "        ctx.save_for_backward(input)\n",
                "        ctx.input = input  # planted: not ctx.save_for_backward(input)\n",
            ),
            (
                "(input,) = ctx.saved_tensors",
                "input = ctx.input",
            ),
        ],
    ),
]
