"""Money on Decimal, quantized to the currency's minor unit, and exact allocation.

`Money` refuses floats, mixed currencies and unknown codes. Rounding always names its mode;
the default is half-up (commercial rounding), the one invoices and tax authorities expect.
`allocate` splits an amount by weights with the largest-remainder method, so the parts always
add back to the whole to the last minor unit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from o2c.kernel.currency import minor_units


def _to_decimal(value: Decimal | int | str) -> Decimal:
    if isinstance(value, float):
        raise TypeError("money is never a float: pass a Decimal, an int or a str")
    try:
        result = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"not a decimal amount: {value!r}") from None
    if not result.is_finite():
        raise ValueError(f"not a finite amount: {value!r}")
    return result


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in one currency, always held at the currency's exact minor unit."""

    amount: Decimal
    currency: str

    def __init__(
        self, amount: Decimal | int | str, currency: str, rounding: str = ROUND_HALF_UP
    ) -> None:
        exponent = minor_units(currency)
        quantum = Decimal(1).scaleb(-exponent)
        object.__setattr__(self, "currency", currency)
        object.__setattr__(self, "amount", _to_decimal(amount).quantize(quantum, rounding=rounding))

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def from_minor(cls, minor: int, currency: str) -> Money:
        """Build from integer minor units, the storage form."""
        if not isinstance(minor, int) or isinstance(minor, bool):
            raise TypeError("minor units must be an int")
        return cls(Decimal(minor).scaleb(-minor_units(currency)), currency)

    @property
    def minor(self) -> int:
        """Integer minor units (cents for EUR, yen for JPY), the storage form."""
        return int(self.amount.scaleb(minor_units(self.currency)))

    def _check(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise ValueError(f"currency mismatch: {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __abs__(self) -> Money:
        return Money(abs(self.amount), self.currency)

    def __lt__(self, other: Money) -> bool:
        self._check(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._check(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._check(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._check(other)
        return self.amount >= other.amount

    def __bool__(self) -> bool:
        return bool(self.amount)

    def multiply(self, factor: Decimal | int | str, rounding: str = ROUND_HALF_UP) -> Money:
        """Scale by a rate or quantity, rounding once to the minor unit with `rounding`."""
        return Money(self.amount * _to_decimal(factor), self.currency, rounding)

    def allocate(self, weights: Sequence[Decimal | int]) -> list[Money]:
        """Split into parts proportional to `weights` that sum exactly to this amount."""
        return [Money.from_minor(m, self.currency) for m in allocate(self.minor, weights)]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


def allocate(total: int, weights: Sequence[Decimal | int]) -> list[int]:
    """Split integer `total` by `weights` with the largest-remainder method.

    Parts are proportional to the weights, rounded toward zero, and the units left over go to
    the parts with the largest remainders (earliest first on ties), so `sum(parts) == total`.
    """
    decimal_weights = [_to_decimal(w) for w in weights]
    if not decimal_weights:
        raise ValueError("allocate needs at least one weight")
    if any(w < 0 for w in decimal_weights):
        raise ValueError("allocation weights must not be negative")
    weight_sum = sum(decimal_weights, Decimal(0))
    if weight_sum == 0:
        raise ValueError("allocation weights must not all be zero")
    sign = -1 if total < 0 else 1
    magnitude = abs(total)
    exact = [Decimal(magnitude) * w / weight_sum for w in decimal_weights]
    parts = [int(e.to_integral_value(rounding=ROUND_DOWN)) for e in exact]
    leftover = magnitude - sum(parts)
    by_remainder = sorted(range(len(parts)), key=lambda i: (-(exact[i] - parts[i]), i))
    for index in by_remainder[:leftover]:
        parts[index] += 1
    return [sign * p for p in parts]


def total(amounts: Iterable[Money], currency: str) -> Money:
    """Sum of `amounts`, all in `currency` (zero when empty)."""
    result = Money.zero(currency)
    for amount in amounts:
        result = result + amount
    return result
