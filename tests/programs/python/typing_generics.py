# typing: generics, protocols, TypedDict, NamedTuple, introspection of annotations.
from typing import (Any, Callable, Dict, Generic, List, Literal, NamedTuple, Optional, Protocol,
                    TypedDict, TypeVar, Union, get_args, get_origin, get_type_hints, runtime_checkable)

T = TypeVar("T")
K = TypeVar("K")


class Stack(Generic[T]):
    def __init__(self) -> None:
        self._items: List[T] = []

    def push(self, item: T) -> "Stack[T]":
        self._items.append(item)
        return self

    def pop(self) -> T:
        return self._items.pop()

    def __len__(self) -> int:
        return len(self._items)


@runtime_checkable
class Shape(Protocol):
    def area(self) -> float: ...


class Square:
    def __init__(self, side: float):
        self.side = side

    def area(self) -> float:
        return self.side ** 2


class Movie(TypedDict, total=False):
    title: str
    year: int


class Coord(NamedTuple):
    lat: float
    lon: float = 0.0


def apply(f: Callable[[int], int], xs: List[int]) -> List[int]:
    return [f(x) for x in xs]


def lookup(table: Dict[K, T], key: K, default: Optional[T] = None) -> Optional[T]:
    return table.get(key, default)


def mode(m: Literal["r", "w"]) -> Union[int, str]:
    return 1 if m == "r" else "w"


s = Stack[int]().push(1).push(2)
print(s.pop(), len(s))
print(isinstance(Square(3), Shape), isinstance(3, Shape), Square(3).area())
movie: Movie = {"title": "Metropolis", "year": 1927}
print(movie, Movie.__required_keys__, sorted(Movie.__optional_keys__))
print(Coord(48.85), Coord._field_defaults, Coord.__annotations__)
print(apply(lambda x: x * x, [1, 2, 3]), lookup({"a": 1}, "b", 0), mode("r"))
hints = get_type_hints(lookup)
for name in sorted(hints):
    print(name, hints[name])
print(get_origin(Dict[str, List[int]]), get_args(Dict[str, List[int]]), get_args(Literal["r", "w"]))
print(get_origin(Union[int, str]), get_args(Optional[int]), Union[int, int], list[int], dict[str, Any])
print(int | None, (int | str) == Union[int, str])
