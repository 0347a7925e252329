# Classes: a small bank with inheritance, properties, dunder methods, class/static methods, errors.
from abc import ABC, abstractmethod


class InsufficientFunds(Exception):
    def __init__(self, account, amount):
        super().__init__(f"{account.owner} cannot withdraw {amount}: balance {account.balance}")
        self.amount = amount


class Account(ABC):
    _next_number = 1000
    rate = 0.0

    def __init__(self, owner, balance=0):
        self.owner = owner
        self._balance = balance
        self.number = Account._next_number
        Account._next_number += 1
        self.history = []

    @property
    def balance(self):
        return self._balance

    def deposit(self, amount):
        if amount <= 0:
            raise ValueError("deposit must be positive")
        self._balance += amount
        self.history.append(("deposit", amount))
        return self

    def withdraw(self, amount):
        if amount > self.limit():
            raise InsufficientFunds(self, amount)
        self._balance -= amount
        self.history.append(("withdraw", amount))
        return self

    @abstractmethod
    def limit(self):
        ...

    def month_end(self):
        interest = round(self._balance * self.rate / 12)
        self._balance += interest
        return interest

    @classmethod
    def open_many(cls, *owners):
        return [cls(o) for o in owners]

    @staticmethod
    def format_cents(cents):
        sign = "-" if cents < 0 else ""
        return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"

    def __repr__(self):
        return f"{type(self).__name__}({self.owner!r}, {self.format_cents(self._balance)})"

    def __lt__(self, other):
        return self._balance < other._balance

    def __eq__(self, other):
        return isinstance(other, Account) and self.number == other.number

    def __hash__(self):
        return hash(self.number)


class Checking(Account):
    overdraft = 50_00

    def limit(self):
        return self._balance + self.overdraft


class Savings(Account):
    rate = 0.03

    def limit(self):
        return self._balance

    def month_end(self):
        interest = super().month_end()
        self.history.append(("interest", interest))
        return interest


alice = Checking("alice", 120_00)
bob = Savings("bob", 5000_00)
carol, dave = Savings.open_many("carol", "dave")
alice.withdraw(150_00).deposit(10_00)
bob.deposit(250_00)
print(alice, bob, carol, dave, [a.number for a in (alice, bob, carol, dave)])
print(bob.month_end(), bob, bob.history)
try:
    carol.withdraw(1)
except InsufficientFunds as e:
    print("InsufficientFunds:", e, e.amount)
try:
    alice.deposit(-5)
except ValueError as e:
    print("ValueError:", e)
try:
    Account("nobody")
except TypeError as e:
    print("TypeError:", e)
try:
    alice.balance = 10
except AttributeError as e:
    print("AttributeError:", e)
print(sorted([bob, alice, carol]), max(alice, bob), len({alice, bob, alice}))
print(Checking.__mro__[1].__name__, isinstance(bob, Account), issubclass(Savings, Checking), Account.format_cents(-5))
