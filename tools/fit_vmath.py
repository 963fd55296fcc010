#!/usr/bin/env python3
"""Fits the polynomial coefficients used by the SIMD exp/tanh/erf approximations
in kernels/act/vmath_*.h, and reports their worst relative error in float64.

Each fit is a least-squares fit on Chebyshev nodes, weighted for relative error.
  tanh(x) = x + x^3 * P(x^2)              |x| < 0.625
  erf(z)  = z * E(z^2)                    |z| < 0.875
  erfc(a) = t * exp(-a^2 + C(t)),  t = 2/(2+a)     a >= 0.875
Run: /usr/bin/python3 tools/fit_vmath.py
"""
import math
import numpy as np


def fit(xs, ys, deg, w):
    V = np.vander(xs, deg + 1, increasing=True)
    c, *_ = np.linalg.lstsq(V * w[:, None], ys * w, rcond=None)
    return c


def nodes(a, b, n=4000):
    k = np.arange(n)
    return (a + b) / 2 + (b - a) / 2 * np.cos(np.pi * (k + 0.5) / n)


def show(name, c):
    print(name, "= {" + ", ".join("%.9e" % v for v in c) + "}  // increasing powers")


# tanh: P(u) = (tanh(x) - x) / x^3, u = x^2
x = nodes(1e-4, 0.625)
u = x * x
p = (np.tanh(x) - x) / x**3
c_tanh = fit(u, p, 5, 1 / np.abs(np.tanh(x)) * x**3)
approx = x + x**3 * np.polyval(c_tanh[::-1], u)
print("tanh small max rel err %.2e" % np.max(np.abs(approx / np.tanh(x) - 1)))
show("kTanhP", c_tanh)

# erf small: E(u) = erf(z)/z
z = nodes(1e-4, 0.875)
e = np.array([math.erf(v) for v in z]) / z
c_erf = fit(z * z, e, 6, 1 / e)
approx = z * np.polyval(c_erf[::-1], z * z)
print("erf small max rel err %.2e" % np.max(np.abs(approx / (z * e) - 1)))
show("kErfP", c_erf)

# erfc large: C(t) = log(erfc(a)/t) + a^2, t = 2/(2+a), a in [0.875, 12]
t = nodes(2 / (2 + 12.0), 2 / (2 + 0.875))
a = 2 / t - 2
cv = np.array([math.log(math.erfc(v)) for v in a]) - np.log(t) + a * a
c_erfc = fit(t, cv, 9, np.ones_like(t))
approx = t * np.exp(-a * a + np.polyval(c_erfc[::-1], t))
ref = np.array([math.erfc(v) for v in a])
print("erfc large max rel err %.2e" % np.max(np.abs(approx / ref - 1)))
show("kErfcC", c_erfc)
