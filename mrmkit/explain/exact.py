"""Exact Shapley values of a small cooperative game, by enumerating every coalition.

Purpose
-------
A reference implementation against which SHAP's explainers are checked on tiny models, and a way to
work textbook games (bankruptcy, glove, airport) in tests.

Method
------
For players N (n = |N|) and a value function v on coalitions,
``phi_i = sum over S in N without i of |S|! (n - |S| - 1)! / n! * (v(S + i) - v(S))``.
v is evaluated once per coalition (2^n calls, cached); the weights are computed exactly with
integers and applied in floating point. ``v`` receives a ``frozenset`` of players.

Limitations
-----------
Exponential in n: refused above ``MAX_PLAYERS`` players.

References
----------
Shapley, L. S. (1953). A value for n-person games. Contributions to the Theory of Games II, 307-317.
Aumann, R. J. & Maschler, M. (1985). Game theoretic analysis of a bankruptcy problem from the Talmud.
Journal of Economic Theory 36, 195-213.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from itertools import combinations
from math import factorial

from mrmkit.errors import InvalidParameters

__all__ = ["MAX_PLAYERS", "exact_shapley"]

#: Largest number of players ``exact_shapley`` accepts (2^16 coalitions).
MAX_PLAYERS = 16


def exact_shapley(value_function: Callable[[frozenset], float], players: Sequence[Hashable]) -> dict[Hashable, float]:
    """Shapley value of every player of the game ``value_function`` over ``players``.

    Parameters
    ----------
    value_function : callable
        ``v(coalition) -> float`` for a ``frozenset`` of players; ``v(frozenset())`` is the empty
        coalition's value (not assumed to be 0: the values then sum to ``v(N) - v(empty)``).
    players : sequence of hashable
        Distinct players, at most ``MAX_PLAYERS``.

    Returns
    -------
    dict
        Player -> Shapley value, in the order of ``players``.
    """
    players = list(players)
    n = len(players)
    if n == 0 or n > MAX_PLAYERS:
        raise InvalidParameters(
            f"The 'players' parameter of exact_shapley must hold 1 to {MAX_PLAYERS} players; got {n}."
        )
    if len(set(players)) != n:
        raise InvalidParameters(f"The 'players' parameter of exact_shapley must not repeat a player; got {players}.")
    values: dict[frozenset, float] = {}
    for size in range(n + 1):
        for coalition in combinations(players, size):
            key = frozenset(coalition)
            values[key] = float(value_function(key))
    n_fact = factorial(n)
    weight = [factorial(s) * factorial(n - s - 1) / n_fact for s in range(n)]
    result: dict[Hashable, float] = {}
    for player in players:
        others = [p for p in players if p != player]
        total = 0.0
        for size in range(n):
            for coalition in combinations(others, size):
                key = frozenset(coalition)
                total += weight[size] * (values[key | {player}] - values[key])
        result[player] = total
    return result
