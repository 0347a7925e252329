# Pure-Python linear algebra: exact Gaussian elimination with Fractions, determinant, inverse, products.
from fractions import Fraction


def matmul(a, b):
    return [[sum(x * y for x, y in zip(row, col)) for col in zip(*b)] for row in a]


def inverse_and_det(m):
    n = len(m)
    aug = [[Fraction(v) for v in row] + [Fraction(int(i == j)) for j in range(n)] for i, row in enumerate(m)]
    det = Fraction(1)
    for c in range(n):
        pivot = next((r for r in range(c, n) if aug[r][c] != 0), None)
        if pivot is None:
            return None, Fraction(0)
        if pivot != c:
            aug[c], aug[pivot] = aug[pivot], aug[c]
            det = -det
        p = aug[c][c]
        det *= p
        aug[c] = [v / p for v in aug[c]]
        for r in range(n):
            if r != c and aug[r][c] != 0:
                f = aug[r][c]
                aug[r] = [a - f * b for a, b in zip(aug[r], aug[c])]
    return [row[n:] for row in aug], det


def show(m):
    width = max(len(str(v)) for row in m for v in row)
    for row in m:
        print("  ".join(str(v).rjust(width) for v in row))


A = [[2, -1, 0, 3], [1, 3, 2, -2], [0, 4, -1, 1], [5, 0, 2, 2]]
inv, det = inverse_and_det(A)
print("det", det)
show(inv)
show(matmul(A, inv))
hilbert = [[Fraction(1, i + j + 1) for j in range(6)] for i in range(6)]
hinv, hdet = inverse_and_det(hilbert)
print("hilbert det", hdet)
print("hilbert inverse row 0", [str(v) for v in hinv[0]])
print(inverse_and_det([[1, 2], [2, 4]]))
I = [[int(i == j) for j in range(3)] for i in range(3)]
R = [[0, -1, 0], [1, 0, 0], [0, 0, 1]]
P = I
for k in range(4):
    P = matmul(P, R)
    print(k + 1, P)
fl = [[0.1 * (i + 1) * (j + 2) for j in range(3)] for i in range(3)]
print(matmul(fl, fl))
