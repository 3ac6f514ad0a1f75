"""Training loops written the way the seeds write them, never with the project's code.

Each loop takes plain arrays (the same data and initial weights the engine
starts from) and returns the trained arrays, so the suite can check that
the baseline did the same maths before it compares speeds.
"""
from __future__ import annotations

import numpy as np

__all__ = ["seed001_xor_loop", "digits_numpy_loop", "torch_xor_loop", "values_only_xlsx"]


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _sigmoid_derivative(x):
    return x * (1 - x)


def seed001_xor_loop(inputs, outputs, hidden_weights, hidden_bias, output_weights, output_bias,
                     epochs, learning_rate=0.1):
    """Seed 001's training loop, line for line (½SSE, sigmoid, full batch).

    Parameters
    ----------
    inputs : ndarray, shape (4, 2)
    outputs : ndarray, shape (4, 1)
    hidden_weights : ndarray, shape (2, 2); hidden_bias : ndarray, shape (1, 2)
    output_weights : ndarray, shape (2, 1); output_bias : ndarray, shape (1, 1)
        Updated in place, as in the seed.
    epochs : int

    Notes
    -----
    The seed computes no loss while training; the engine's fast path also
    keeps the loss of every epoch and checks for divergence, inside the
    time it is measured on.
    """
    for _ in range(epochs):
        hidden_layer_activation = np.dot(inputs, hidden_weights)
        hidden_layer_activation += hidden_bias
        hidden_layer_output = _sigmoid(hidden_layer_activation)

        output_layer_activation = np.dot(hidden_layer_output, output_weights)
        output_layer_activation += output_bias
        predicted_output = _sigmoid(output_layer_activation)

        error = outputs - predicted_output
        d_predicted_output = error * _sigmoid_derivative(predicted_output)

        error_hidden_layer = d_predicted_output.dot(output_weights.T)
        d_hidden_layer = error_hidden_layer * _sigmoid_derivative(hidden_layer_output)

        output_weights += hidden_layer_output.T.dot(d_predicted_output) * learning_rate
        output_bias += np.sum(d_predicted_output, axis=0, keepdims=True) * learning_rate
        hidden_weights += inputs.T.dot(d_hidden_layer) * learning_rate
        hidden_bias += np.sum(d_hidden_layer, axis=0, keepdims=True) * learning_rate
    return hidden_weights, hidden_bias, output_weights, output_bias


def digits_numpy_loop(X, y, W1, b1, W2, b2, epochs, learning_rate, lambda_):
    """Full-batch gradient descent, sigmoid layers, binary cross-entropy + L2.

    The maths of seed 002 (cost J with (λ/2m)·Σθ², delta3 = a3 − y, weight
    gradients plus (λ/m)·θ, biases not penalised), written as a plain loop
    that computes the cost every epoch as the seed's ``gradient_descent`` does.

    Parameters
    ----------
    X : ndarray, shape (m, 64); y : ndarray, shape (m, 10)
    W1 : ndarray, shape (64, 25); b1 : ndarray, shape (25,)
    W2 : ndarray, shape (25, 10); b2 : ndarray, shape (10,)
        Updated in place.
    epochs : int
    learning_rate, lambda_ : float

    Returns
    -------
    (W1, b1, W2, b2, costs) ; costs : list of float, one per epoch
    """
    m = X.shape[0]
    costs = []
    for _ in range(epochs):
        z2 = X.dot(W1) + b1
        a2 = _sigmoid(z2)
        z3 = a2.dot(W2) + b2
        a3 = _sigmoid(z3)
        positive_loss = np.sum(y * np.log(a3))
        negative_loss = np.sum((1 - y) * np.log(1 - a3))
        regularization = lambda_ / (2 * m) * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
        costs.append(-(positive_loss + negative_loss) / m + regularization)

        delta3 = (a3 - y) / m
        delta2 = delta3.dot(W2.T) * _sigmoid_derivative(a2)
        grad_W2 = a2.T.dot(delta3) + lambda_ / m * W2
        grad_b2 = delta3.sum(axis=0)
        grad_W1 = X.T.dot(delta2) + lambda_ / m * W1
        grad_b1 = delta2.sum(axis=0)
        W2 -= learning_rate * grad_W2
        b2 -= learning_rate * grad_b2
        W1 -= learning_rate * grad_W1
        b1 -= learning_rate * grad_b1
    return W1, b1, W2, b2, costs


def torch_xor_loop(torch, inputs, outputs, hidden_weights, hidden_bias, output_weights,
                   output_bias, epochs, learning_rate=0.1):
    """The same 2-2-1 network in PyTorch: autograd and ``torch.optim.SGD``.

    ``torch`` is passed in: it is imported only when installed (never a
    dependency). Arrays are NumPy; the trained weights come back as NumPy.
    """
    as_tensor = lambda a: torch.tensor(np.array(a), dtype=torch.float64)  # noqa: E731
    X, Y = as_tensor(inputs), as_tensor(outputs)
    params = [as_tensor(p).requires_grad_() for p in
              (hidden_weights, hidden_bias, output_weights, output_bias)]
    optimiser = torch.optim.SGD(params, lr=learning_rate)
    hw, hb, ow, ob = params
    for _ in range(epochs):
        optimiser.zero_grad()
        predicted = torch.sigmoid(torch.sigmoid(X @ hw + hb) @ ow + ob)
        loss = 0.5 * ((Y - predicted) ** 2).sum()
        loss.backward()
        optimiser.step()
    return tuple(p.detach().numpy() for p in params)


def values_only_xlsx(path, matrices):
    """Write every matrix as numbers, one block under the other, no formulas.

    Parameters
    ----------
    path : str
    matrices : dict of str to ndarray (2-D)
    """
    import xlsxwriter

    workbook = xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet("iteration 1")
    row = 0
    for name, matrix in matrices.items():
        sheet.write(row, 0, name)
        for values in matrix:
            row += 1
            sheet.write_row(row, 1, values.tolist())
        row += 2
    workbook.close()
